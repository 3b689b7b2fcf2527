package config

// A reload that decodes one table of ten thousand (decoded.go) would still
// scan every line of the file for the positions of keys that it never
// reports: those of the checks taken as they run. A file that split.go
// cut is therefore scanned a table at a time, each when a line in it is
// first asked for. A table's keys are written in it alone (its headers
// stand together, and nothing but comments is above the first), so its
// lines are the file's, moved down by the lines above it.

// cutLines are the positions of a file cut into tables.
type cutLines struct {
	tables  []tableText
	scanned []*positions   // each table's own, by index; nil until asked
	byName  map[string]int // a check's table, made when first asked
	first   map[string]int // the first table of "daemon", "defaults" and "check"
}

// newCutLines is the positions of a file cut into tables.
func newCutLines(tables []tableText) *positions {
	c := &cutLines{tables: tables, first: make(map[string]int, 3)}
	for i, t := range tables {
		if _, seen := c.first[t.top]; !seen && t.top != "" {
			c.first[t.top] = i
		}
	}
	return &positions{cut: c}
}

// table is the table that holds path (parent, then path), scanned, and
// how far down the file it starts; nil when no table holds it.
func (c *cutLines) table(parent, path []string) (p *positions, above int) {
	at := func(i int) string {
		if i < len(parent) {
			return parent[i]
		}
		if i-len(parent) < len(path) {
			return path[i-len(parent)]
		}
		return ""
	}
	n := len(parent) + len(path)
	i, found := c.first[at(0)]
	if n == 0 || !found {
		return nil, 0
	}
	if at(0) == "check" && n > 1 {
		if c.byName == nil {
			c.byName = make(map[string]int, len(c.tables))
			for j, t := range c.tables {
				if t.top == "check" {
					c.byName[t.name] = j
				}
			}
		}
		if i, found = c.byName[at(1)]; !found {
			return nil, 0
		}
	}
	if c.scanned == nil {
		c.scanned = make([]*positions, len(c.tables))
	}
	if c.scanned[i] == nil {
		c.scanned[i] = scanPositions(c.tables[i].text)
	}
	return c.scanned[i], c.tables[i].line - 1
}

func (c *cutLines) lineUnder(parent, path []string) int {
	p, above := c.table(parent, path)
	if p == nil {
		return 0
	}
	if n := p.lineUnder(parent, path...); n > 0 {
		return n + above
	}
	return 0
}

func (c *cutLines) entryLine(i int, path []string) int {
	p, above := c.table(nil, path)
	if p == nil {
		return 0
	}
	if n := p.entryLine(i, path...); n > 0 {
		return n + above
	}
	return 0
}

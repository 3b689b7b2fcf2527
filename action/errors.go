package action

import "errors"

var errUnimplemented = errors.New("unimplemented")

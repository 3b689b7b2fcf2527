package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
)

// maxReply bounds what the client reads of an answer: ten thousand checks
// take a few MB, and whatever sits on the socket must not fill the memory.
const maxReply = 64 << 20

// Client asks a heatd through its control socket. It connects for each
// request and keeps nothing open between them.
type Client struct {
	socket string
	http   http.Client
}

// Dial makes a client of the heatd whose control socket is path. Nothing
// is connected yet: each request connects, and a heatd that does not
// answer is an *UnreachableError then.
func Dial(path string) *Client {
	c := &Client{socket: path}
	c.http.Transport = &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			conn, err := d.DialContext(ctx, "unix", path)
			if err != nil {
				return nil, &UnreachableError{Socket: path, Reason: dialReason(err), Err: err}
			}
			return conn, nil
		},
		// One request per command: an idle connection kept would only be
		// a goroutine and a descriptor left behind.
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return c
}

// Status asks for the status of the checks named, or of all of them.
func (c *Client) Status(ctx context.Context, names ...string) (*StatusReply, error) {
	body, err := c.StatusJSON(ctx, names...)
	if err != nil {
		return nil, err
	}
	var reply StatusReply
	if err := json.Unmarshal(body, &reply); err != nil {
		return nil, fmt.Errorf("control socket %s: the status is not what heatd sends: %w", c.socket, err)
	}
	return &reply, nil
}

// StatusJSON is Status's answer as heatd sent it, for a reader that wants
// every field, even those this client does not know.
func (c *Client) StatusJSON(ctx context.Context, names ...string) ([]byte, error) {
	path := "/v1/status"
	if len(names) > 0 {
		path += "?" + url.Values{"name": names}.Encode()
	}
	code, body, err := c.do(ctx, http.MethodGet, path)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, answerError(code, body)
	}
	return body, nil
}

// Reload asks heatd to reload its configuration and waits for the verdict:
// Applied, or the Errors that made heatd reject it. The error is for a
// reload that got no verdict.
func (c *Client) Reload(ctx context.Context) (*ReloadReply, error) {
	code, body, err := c.do(ctx, http.MethodPost, "/v1/reload")
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK && code != http.StatusUnprocessableEntity {
		return nil, answerError(code, body)
	}
	var reply ReloadReply
	if err := json.Unmarshal(body, &reply); err != nil {
		return nil, fmt.Errorf("control socket %s: the reload's answer is not what heatd sends: %w", c.socket, err)
	}
	if !reply.Applied && len(reply.Errors) == 0 {
		reply.Errors = []string{"rejected, with no reason given"}
	}
	return &reply, nil
}

// Beat hands a job's report to the heartbeat check name: that it ran, or
// with a FailCode, that it failed. An *AnswerError with Code 404 when no
// heartbeat check has that name.
func (c *Client) Beat(ctx context.Context, name string, report BeatRequest) error {
	body, err := json.Marshal(report)
	if err != nil {
		return err
	}
	code, answer, err := c.send(ctx, http.MethodPost, beatPath+url.PathEscape(name), body)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return answerError(code, answer)
	}
	return nil
}

// Pause asks heatd to pause checks: those req names, or all of them. An
// *AnswerError with Code 404 (naming the Unknown) when a name is no
// check's, 403 when the caller may not.
func (c *Client) Pause(ctx context.Context, req PauseRequest) (*PauseReply, error) {
	var reply PauseReply
	if err := c.post(ctx, pausePath, req, &reply); err != nil {
		return nil, err
	}
	return &reply, nil
}

// Resume asks heatd to end the pause or the giving up of checks: those req
// names, or all of them. Errors as Pause's.
func (c *Client) Resume(ctx context.Context, req ResumeRequest) (*ResumeReply, error) {
	var reply ResumeReply
	if err := c.post(ctx, resumePath, req, &reply); err != nil {
		return nil, err
	}
	return &reply, nil
}

// Run asks heatd to run the check name now and waits for the run's
// result. Errors as Pause's.
func (c *Client) Run(ctx context.Context, name string) (*RunReply, error) {
	var reply RunReply
	if err := c.post(ctx, runPath+url.PathEscape(name), nil, &reply); err != nil {
		return nil, err
	}
	return &reply, nil
}

// post sends req as JSON (nil: no body) and decodes a 200 answer into
// reply.
func (c *Client) post(ctx context.Context, path string, req, reply any) error {
	var body []byte
	if req != nil {
		var err error
		if body, err = json.Marshal(req); err != nil {
			return err
		}
	}
	code, answer, err := c.send(ctx, http.MethodPost, path, body)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return answerError(code, answer)
	}
	if err := json.Unmarshal(answer, reply); err != nil {
		return fmt.Errorf("control socket %s: the answer is not what heatd sends: %w", c.socket, err)
	}
	return nil
}

// do sends one request with no body and reads its answer.
func (c *Client) do(ctx context.Context, method, path string) (int, []byte, error) {
	return c.send(ctx, method, path, nil)
}

// send sends one request with body (nil: none) and reads its answer.
func (c *Client) send(ctx context.Context, method, path string, payload []byte) (int, []byte, error) {
	var r io.Reader
	if payload != nil {
		r = bytes.NewReader(payload)
	}
	// The host is a placeholder: the transport dials the socket.
	req, err := http.NewRequestWithContext(ctx, method, "http://heatd"+path, r)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, c.failed(ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	switch {
	case err != nil:
		return 0, nil, c.failed(ctx, err)
	case len(body) > maxReply:
		return 0, nil, fmt.Errorf("control socket %s: an answer of more than %d bytes", c.socket, maxReply)
	}
	return resp.StatusCode, body, nil
}

// failed classifies a request that got no answer.
func (c *Client) failed(ctx context.Context, err error) error {
	var u *UnreachableError
	switch {
	case errors.As(err, &u):
		return u
	case ctx.Err() != nil:
		return &UnreachableError{Socket: c.socket, Reason: NoAnswer, Err: ctx.Err()}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return &UnreachableError{Socket: c.socket, Reason: HungUp, Err: err}
	}
	return fmt.Errorf("control socket %s: %w", c.socket, err)
}

// answerError is heatd's answer when it is not a success.
func answerError(code int, body []byte) error {
	e := &AnswerError{Code: code}
	var reply ErrorReply
	if json.Unmarshal(body, &reply) == nil && reply.Error != "" {
		e.Message, e.Unknown = reply.Error, reply.Unknown
	} else {
		e.Message = fmt.Sprintf("%d %s", code, http.StatusText(code))
	}
	return e
}

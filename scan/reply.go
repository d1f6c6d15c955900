package scan

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Limits on what a server may send in one reply. They keep a hostile or
// broken server from making the scanner buffer without end.
const (
	// MaxReplyLine is the longest reply line accepted, CRLF included.
	// RFC 5321 allows 512; real EHLO and HELP lines stay far below this.
	MaxReplyLine = 4096

	// MaxReplyLines is the most lines accepted in one multi-line reply.
	MaxReplyLines = 256
)

// Reply is a server's answer to one command.
type Reply struct {
	// Command is the line the scanner sent, or "" for the greeting.
	Command string `json:"command,omitempty"`

	// Code is the three-digit reply code shared by every line.
	Code int `json:"code"`

	// Lines are the reply lines exactly as received, without CRLF.
	Lines []string `json:"lines"`
}

// Text returns the text of every line after its code and separator, joined
// with newlines.
func (r Reply) Text() string {
	parts := make([]string, len(r.Lines))
	for i, l := range r.Lines {
		if len(l) > 4 {
			parts[i] = l[4:]
		}
	}
	return strings.Join(parts, "\n")
}

// Positive reports whether the code is 2xx or 3xx.
func (r Reply) Positive() bool {
	return r.Code >= 200 && r.Code < 400
}

// errMalformed marks a line that is not an SMTP reply line.
var errMalformed = errors.New("malformed reply line")

// parseLine checks one reply line and returns its code and whether it is
// the last line of its reply ("250 x" or a bare "250") rather than a
// continuation ("250-x").
func parseLine(line string) (code int, last bool, err error) {
	if len(line) < 3 {
		return 0, false, fmt.Errorf("%w %q: shorter than a reply code", errMalformed, line)
	}
	if line[0] < '1' || line[0] > '5' || !isDigit(line[1]) || !isDigit(line[2]) {
		return 0, false, fmt.Errorf("%w %q: no reply code", errMalformed, clip(line))
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')

	if len(line) == 3 {
		return code, true, nil
	}
	switch line[3] {
	case ' ':
		return code, true, nil
	case '-':
		return code, false, nil
	}
	return 0, false, fmt.Errorf("%w %q: no separator after the code", errMalformed, clip(line))
}

// ParseReply parses one complete reply, as a server sends it, from data:
// lines ended by CRLF (a bare LF is accepted), every line with the same
// code, every line but the last marked as a continuation. It fails on
// anything else, including data after the last line.
func ParseReply(data []byte) (Reply, error) {
	data = bytes.TrimSuffix(data, []byte("\n"))
	if len(data) == 0 || string(data) == "\r" {
		return Reply{}, errors.New("empty reply")
	}

	var r Reply
	raw := strings.Split(string(data), "\n")
	if len(raw) > MaxReplyLines {
		return Reply{}, fmt.Errorf("reply of %d lines: more than %d", len(raw), MaxReplyLines)
	}
	for i, l := range raw {
		l = strings.TrimSuffix(l, "\r")
		if err := r.add(l); err != nil {
			return Reply{}, err
		}
		last, _ := r.complete()
		if last && i < len(raw)-1 {
			return Reply{}, fmt.Errorf("data after the last line of a %d reply", r.Code)
		}
	}
	if done, _ := r.complete(); !done {
		return Reply{}, fmt.Errorf("%d reply ends with a continuation line", r.Code)
	}
	return r, nil
}

// add appends one received line to r, checking it first.
func (r *Reply) add(line string) error {
	if len(line)+2 > MaxReplyLine {
		return fmt.Errorf("reply line of %d bytes: longer than %d", len(line), MaxReplyLine)
	}
	code, _, err := parseLine(line)
	if err != nil {
		return err
	}
	if len(r.Lines) > 0 && code != r.Code {
		return fmt.Errorf("%w %q: code %d inside a %d reply", errMalformed, clip(line),
			code, r.Code)
	}
	if len(r.Lines) >= MaxReplyLines {
		return fmt.Errorf("reply of more than %d lines", MaxReplyLines)
	}
	r.Code = code
	r.Lines = append(r.Lines, line)
	return nil
}

// complete reports whether the last line added ends the reply.
func (r *Reply) complete() (bool, error) {
	if len(r.Lines) == 0 {
		return false, nil
	}
	_, last, err := parseLine(r.Lines[len(r.Lines)-1])
	return last, err
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// clip shortens s for an error message.
func clip(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

package wsman

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// create opens a shell (Create).
//
// TODO: Windows drops shells idle for IdleTimeOut (2 hours by default) and
// caps them per user (MaxShellsPerUser, 30 by default). The lab keeps a
// shell until Delete or Close, which is harmless for test processes that
// live minutes; enforcing both limits would bound the memory held for
// clients that never send Delete.
func (h *Handler) create(w http.ResponseWriter, r *http.Request, req *request) {
	id := newUUID(true)
	h.mu.Lock()
	if h.shells == nil {
		h.shells = make(map[string]*shell)
	}
	h.shells[id] = &shell{id: id}
	h.mu.Unlock()

	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	a := newAnswer(responseActions[opCreate], req.messageID)
	shellBody(a.buf, scheme+"://"+r.Host+"/wsman", id)
	a.send(w, http.StatusOK)
}

// startCommand starts a command line in a shell (Command).
func (h *Handler) startCommand(w http.ResponseWriter, req *request, cfg *Config) {
	c := &command{id: newUUID(true)}

	h.mu.Lock()
	sh := h.shells[req.shellID]
	if sh != nil {
		if sh.commands == nil {
			sh.commands = make(map[string]*command)
		}
		sh.commands[c.id] = c
		c.start(h.base, h.runner, req.line())
	}
	h.mu.Unlock()

	if sh == nil {
		h.fault(w, req.messageID, cfg, CodeShellNotFound, "", req.shellID)
		return
	}
	logger().Debug("wsman: command", "shell", sh.id, "command", c.id, "line", req.line())

	a := newAnswer(responseActions[opCommand], req.messageID)
	a.buf.WriteString(`<rsp:CommandResponse><rsp:CommandId>`)
	a.buf.WriteString(c.id)
	a.buf.WriteString(`</rsp:CommandId></rsp:CommandResponse>`)
	a.send(w, http.StatusOK)
}

// lookup finds a command; either result may be nil.
func (h *Handler) lookup(shellID, commandID string) (*shell, *command) {
	h.mu.Lock()
	defer h.mu.Unlock()

	sh := h.shells[shellID]
	if sh == nil {
		return nil, nil
	}
	return sh, sh.commands[commandID]
}

// send feeds stdin (Send). Input for unknown or finished commands is
// dropped and still answered with success, as clients expect.
func (h *Handler) send(w http.ResponseWriter, req *request) {
	for _, s := range req.streams {
		if !strings.EqualFold(s.name, "stdin") {
			continue
		}
		_, c := h.lookup(req.shellID, s.commandID)
		if c == nil {
			continue
		}
		data, err := base64.StdEncoding.DecodeString(s.data)
		if err != nil {
			// TODO: Windows answers undecodable input with a fault; no
			// client sends any, so dropping it is enough for the lab.
			continue
		}
		c.stdin.write(data, s.end)
	}

	a := newAnswer(responseActions[opSend], req.messageID)
	a.buf.WriteString(`<rsp:SendResponse/>`)
	a.send(w, http.StatusOK)
}

// signal terminates a command (Signal) and forgets it. Unknown commands
// are answered with success too.
func (h *Handler) signal(w http.ResponseWriter, req *request) {
	h.mu.Lock()
	sh := h.shells[req.shellID]
	var c *command
	if sh != nil {
		c = sh.commands[req.commandID]
		// Terminate removes the command; ctrl_c and ctrl_break only
		// interrupt it, and the client keeps receiving its output.
		if c != nil && (req.signal == uriTerminate || req.signal == "") {
			delete(sh.commands, req.commandID)
		}
	}
	h.mu.Unlock()

	if c != nil {
		c.cancel()
	}
	a := newAnswer(responseActions[opSignal], req.messageID)
	a.buf.WriteString(`<rsp:SignalResponse/>`)
	a.send(w, http.StatusOK)
}

// deleteShell closes a shell (Delete) and abandons its commands.
func (h *Handler) deleteShell(w http.ResponseWriter, req *request) {
	h.mu.Lock()
	sh := h.shells[req.shellID]
	delete(h.shells, req.shellID)
	h.mu.Unlock()

	if sh != nil {
		for _, c := range sh.commands {
			c.cancel()
		}
	}
	a := newAnswer(responseActions[opDelete], req.messageID)
	a.send(w, http.StatusOK)
}

// outputGather is how long output of a running command waits for more output
// or the command's end before a Receive answers with it.
// UNCONFIRMED: Windows' own buffering interval is not documented; this one
// only has to be short next to any client's timeout.
const outputGather = 100 * time.Millisecond

// receive long-polls a command's output (Receive).
func (h *Handler) receive(w http.ResponseWriter, r *http.Request, req *request, cfg *Config) {
	_, c := h.lookup(req.shellID, req.commandID)
	if c == nil {
		// UNCONFIRMED: Windows' answer for an unknown command in a known
		// shell; the shell-not-found fault is the closest known one.
		h.fault(w, req.messageID, cfg, CodeShellNotFound, "", req.shellID)
		return
	}

	limit := envelopeLimit(req.maxEnvelopeSize) - envelopeReserve
	hold := time.NewTimer(holdFor(cfg.maxHold(), req.operationTimeout))
	defer hold.Stop()

	// Output of a command that is still running is held back for a moment,
	// as Windows buffers it, so that a quick command's output and its end
	// go out in one answer instead of costing the client another Receive.
	var gather <-chan time.Time
	for {
		if pending, more := c.pending(limit); pending {
			if gather == nil {
				t := time.NewTimer(outputGather)
				defer t.Stop()
				gather = t.C
			}
			select {
			case <-more:
				continue
			case <-gather:
			case <-h.closing:
			case <-r.Context().Done():
				return
			}
		}

		out, ok, changed := c.take(limit)
		if ok {
			writeReceive(w, req.messageID, c.id, out)
			return
		}

		// Wait without holding any lock: Send and Signal for this command
		// may arrive meanwhile on other connections.
		select {
		case <-changed:
		case <-hold.C:
			h.counts.timeouts.Add(1)
			h.fault(w, req.messageID, cfg, CodeOperationTimeout, "", "")
			return
		case <-h.closing:
			h.fault(w, req.messageID, cfg, CodeAborted, "", "")
			return
		case <-r.Context().Done():
			return
		}
	}
}

// envelopeLimit is the answer size the client accepts: its
// w:MaxEnvelopeSize, capped at Windows' default.
func envelopeLimit(requested string) int {
	n, err := strconv.Atoi(strings.TrimSpace(requested))
	if err != nil || n < 8192 || n > maxEnvelope {
		return maxEnvelope
	}
	return n
}

// writeReceive writes a ReceiveResponse with the given output. A finished
// command gets End streams and exactly one CommandState Done with its
// ExitCode; otherwise the state is Running.
func writeReceive(w http.ResponseWriter, relatesTo, commandID string, out output) {
	a := newAnswer(responseActions[opReceive], relatesTo)
	buf := a.buf
	buf.WriteString(`<rsp:ReceiveResponse>`)

	for _, ch := range out.chunks {
		name := "stdout"
		if ch.stderr {
			name = "stderr"
		}
		buf.WriteString(`<rsp:Stream Name="` + name + `" CommandId="` + commandID + `">`)
		buf.Grow(base64.StdEncoding.EncodedLen(len(ch.data)))
		buf.Write(base64.StdEncoding.AppendEncode(buf.AvailableBuffer(), ch.data))
		buf.WriteString(`</rsp:Stream>`)
	}

	state := uriRunning
	if out.done {
		state = uriDone
		buf.WriteString(`<rsp:Stream Name="stdout" CommandId="` + commandID +
			`" End="true"></rsp:Stream><rsp:Stream Name="stderr" CommandId="` +
			commandID + `" End="true"></rsp:Stream>`)
	}
	buf.WriteString(`<rsp:CommandState CommandId="` + commandID + `" State="` + state + `">`)
	if out.done {
		buf.WriteString(`<rsp:ExitCode>` + strconv.Itoa(out.exitCode) + `</rsp:ExitCode>`)
	}
	buf.WriteString(`</rsp:CommandState></rsp:ReceiveResponse>`)
	a.send(w, http.StatusOK)
}

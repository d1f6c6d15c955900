package wsman

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxRequestBody bounds a request body. masterzen/winrm sends stdin in
// chunks of about 203 KB of base64, above the 153600 it announces.
const maxRequestBody = 1 << 20

// Handler is the WinRM endpoint of one simulated host: it serves POST /wsman
// and owns the host's remote shells and commands. Build it with NewHandler
// and serve it through Server. All methods are safe for concurrent use.
type Handler struct {
	runner Runner

	cfgMu sync.Mutex             // serialises SetConfig
	cfg   atomic.Pointer[Config] // never nil; replaced, never mutated

	counts counters

	mu     sync.Mutex
	shells map[string]*shell // by upper-case id; nil until the first Create

	// base is the parent of every command's context; Close cancels it.
	base    context.Context
	stop    context.CancelFunc
	closing chan struct{} // closed by Close
	closed  atomic.Bool
}

// counters are the atomic counters behind Stats.
type counters struct {
	total, unauthorized, faults, timeouts atomic.Int64

	create, command, send, receive, signal, del atomic.Int64
}

// op returns the counter of an operation.
func (c *counters) op(name string) *atomic.Int64 {
	switch name {
	case opCreate:
		return &c.create
	case opCommand:
		return &c.command
	case opSend:
		return &c.send
	case opReceive:
		return &c.receive
	case opSignal:
		return &c.signal
	}
	return &c.del
}

// NewHandler returns a Handler that accepts what cfg says and runs command
// lines with r.
func NewHandler(cfg Config, r Runner) *Handler {
	h := &Handler{runner: r, closing: make(chan struct{})}
	h.cfg.Store(cfg.clone())
	h.base, h.stop = context.WithCancel(context.Background())
	return h
}

// Server returns an HTTP server for h, ready for Serve or, when tlsConf is
// not nil, ServeTLS(listener, "", ""). It keeps NTLM state per connection,
// speaks HTTP/1.1 only (connection-oriented authentication does not survive
// HTTP/2) and logs nothing unless SMTPVERBS_LOG is set.
func (h *Handler) Server(tlsConf *tls.Config) *http.Server {
	return &http.Server{
		Handler:           h,
		TLSConfig:         tlsConf,
		TLSNextProto:      map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ConnContext:       connContext,
		ErrorLog:          serverErrorLog(),
	}
}

// Stats returns the request counts so far.
func (h *Handler) Stats() Stats {
	c := &h.counts
	return Stats{
		Total:        int(c.total.Load()),
		Unauthorized: int(c.unauthorized.Load()),
		Faults:       int(c.faults.Load()),
		Timeouts:     int(c.timeouts.Load()),
		Create:       int(c.create.Load()),
		Command:      int(c.command.Load()),
		Send:         int(c.send.Load()),
		Receive:      int(c.receive.Load()),
		Signal:       int(c.signal.Load()),
		Delete:       int(c.del.Load()),
	}
}

// SetConfig changes the configuration of a running Handler: mutate gets a
// copy of the current one, and requests that start afterwards see the
// result. Connections already authenticated by NTLM stay authenticated.
func (h *Handler) SetConfig(mutate func(*Config)) {
	h.cfgMu.Lock()
	defer h.cfgMu.Unlock()

	cfg := h.cfg.Load().clone()
	mutate(cfg)
	h.cfg.Store(cfg.clone())
}

// Close abandons every shell: running commands see their context cancelled
// and pending Receives end with a fault. Afterwards the Handler answers
// every request with 503 Service Unavailable. Close does not wait for
// Runners to return.
func (h *Handler) Close() {
	if h.closed.Swap(true) {
		return
	}
	close(h.closing)
	h.stop()

	h.mu.Lock()
	h.shells = nil
	h.mu.Unlock()
}

// ServeHTTP serves one WinRM request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.counts.total.Add(1)
	cfg := h.cfg.Load()

	// Read the whole body first: the NTLM handshake resends it on the same
	// connection, which must stay usable after a 401. The buffer is reused:
	// nothing read from a request keeps pointing into it.
	buf := bufferPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer recycle(buf)
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxRequestBody)); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		}
		return
	}
	body := buf.Bytes()

	if !h.pause(r.Context(), cfg.Latency) {
		return
	}
	if h.closed.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if r.URL.Path != "/wsman" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if !h.authenticate(w, r, cfg) {
		return
	}

	h.serve(w, r, cfg, body)
}

// serve handles an authenticated request.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, cfg *Config, body []byte) {
	// TODO: NTLM message sealing (pywinrm's default over HTTP) is not
	// implemented; masterzen/winrm at the pinned version cannot use it, and
	// pywinrm works with message_encryption='never' or HTTPS. Implementing
	// MS-NLMP 3.4 sealing here would lift the limit.
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/encrypted") {
		w.WriteHeader(http.StatusUnsupportedMediaType)
		return
	}

	req, err := parseRequest(body)
	if err != nil {
		h.fault(w, req.messageID, cfg, codeBadRequest, "", err.Error())
		return
	}
	n := h.counts.op(req.op).Add(1)
	logger().Debug("wsman: request", "op", req.op, "shell", req.shellID,
		"command", req.commandID, "host", cfg.computer())

	if f := cfg.Fault; f != nil && strings.EqualFold(f.Op, req.op) &&
		(f.Nth == 0 || int64(f.Nth) == n) {
		code := f.Code
		if code == 0 {
			code = CodeAccessDenied
		}
		h.fault(w, req.messageID, cfg, code, f.Message, req.shellID)
		return
	}

	switch req.op {
	case opCreate:
		h.create(w, r, req)
	case opCommand:
		h.startCommand(w, req, cfg)
	case opSend:
		h.send(w, req)
	case opReceive:
		h.receive(w, r, req, cfg)
	case opSignal:
		h.signal(w, req)
	case opDelete:
		h.deleteShell(w, req)
	}
}

// pause waits for the configured latency; it reports false when the
// request or the Handler ended first.
func (h *Handler) pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()

	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-h.closing:
		return true
	}
}

// fault writes a WS-Management fault and counts it.
func (h *Handler) fault(w http.ResponseWriter, relatesTo string, cfg *Config, code uint32,
	message, detail string) {

	h.counts.faults.Add(1)
	logger().Debug("wsman: fault", "code", code, "host", cfg.computer())
	writeFault(w, relatesTo, cfg.computer(), code, message, detail)
}

package wsman

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
)

// Output chunking. An answer must stay below the 153600-byte envelope both
// clients ask for, and base64 makes 3 bytes of output into 4 of text.
const (
	maxEnvelope     = 153600
	envelopeReserve = 2048  // header, CommandState, End streams
	streamOverhead  = 112   // one <rsp:Stream ...></rsp:Stream> around a chunk
	maxStreamChunk  = 16384 // raw bytes in one rsp:Stream
)

// shell is one remote shell: a set of commands. Its map is guarded by the
// Handler's mutex.
type shell struct {
	id       string
	commands map[string]*command
}

// command is one running or finished command line. Output the Runner writes
// waits in chunks until a Receive takes it.
type command struct {
	id     string
	cancel context.CancelFunc
	stdin  *inbox

	mu       sync.Mutex
	chunks   []chunk       // output not yet received, in write order
	done     bool          // the Runner has returned
	exitCode int           // valid once done
	changed  chan struct{} // closed on new output or completion; nil if no waiter
}

// chunk is a run of bytes written to one stream.
type chunk struct {
	stderr bool
	data   []byte
}

// start runs the command line in its own goroutine. The command's context
// ends with base (the Handler) or with cancel (Signal, Delete).
func (c *command) start(base context.Context, r Runner, line string) {
	ctx, cancel := context.WithCancel(base)
	c.cancel = cancel
	c.stdin = &inbox{ctx: ctx}

	go func() {
		defer cancel()
		code := runSafely(ctx, r, line, c.stdin, streamWriter{c, false}, streamWriter{c, true})
		c.finish(code)
	}()
}

// runSafely calls the Runner, turning a panic into an error message on
// stderr and exit code 1 so that one bad command cannot take the lab down.
func runSafely(ctx context.Context, r Runner, line string, stdin io.Reader,
	stdout, stderr io.Writer) (code int) {

	defer func() {
		if p := recover(); p != nil {
			logger().Error("wsman: runner panicked", "panic", p, "stack", string(debug.Stack()))
			_, _ = fmt.Fprintf(stderr, "internal error in the simulated host: %v\r\n", p)
			code = 1
		}
	}()
	return r.Run(ctx, line, stdin, stdout, stderr)
}

// finish records the exit code and wakes any waiting Receive.
func (c *command) finish(code int) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.done = true
	c.exitCode = code
	c.wakeLocked()
}

// wakeLocked wakes the goroutines waiting on c.changed. c.mu must be held.
func (c *command) wakeLocked() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}

// streamWriter appends what the Runner writes to one of c's streams.
type streamWriter struct {
	c      *command
	stderr bool
}

// Write copies p into the command's pending output. It never blocks on the
// client.
func (w streamWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()

	if n := len(c.chunks); n > 0 && c.chunks[n-1].stderr == w.stderr {
		c.chunks[n-1].data = append(c.chunks[n-1].data, p...)
	} else {
		c.chunks = append(c.chunks, chunk{stderr: w.stderr, data: append([]byte(nil), p...)})
	}
	c.wakeLocked()
	return len(p), nil
}

// output is what one Receive answer carries.
type output struct {
	chunks   []chunk
	done     bool
	exitCode int
}

// pending reports whether output waits to be handed out while the command
// still runs, with a channel closed at the next change. A full answer's
// worth (limit bytes encoded) counts as not pending: it should go out now.
func (c *command) pending(limit int) (bool, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()

	if c.done || len(c.chunks) == 0 {
		return false, nil
	}
	size := 0
	for _, ch := range c.chunks {
		size += streamOverhead + base64.StdEncoding.EncodedLen(len(ch.data))
	}
	if size >= limit {
		return false, nil
	}
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return true, c.changed
}

// take removes up to limit bytes of answer (encoded) from the pending output.
// When there is neither output nor completion to report it returns ok false
// and a channel closed at the next change; the caller waits on it without
// holding any lock.
func (c *command) take(limit int) (out output, ok bool, wait <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()

	if len(c.chunks) == 0 && !c.done {
		if c.changed == nil {
			c.changed = make(chan struct{})
		}
		return output{}, false, c.changed
	}

	room := limit
	for len(c.chunks) > 0 {
		first := &c.chunks[0]
		fit := (room - streamOverhead) / 4 * 3
		n := min(len(first.data), fit, maxStreamChunk)
		if n <= 0 {
			break
		}
		out.chunks = append(out.chunks, chunk{stderr: first.stderr, data: first.data[:n]})
		room -= streamOverhead + base64.StdEncoding.EncodedLen(n)

		first.data = first.data[n:]
		if len(first.data) == 0 {
			c.chunks = c.chunks[1:]
		}
	}
	if len(c.chunks) == 0 {
		c.chunks = nil
	}

	// Done is reported only once every byte of output has been handed out.
	out.done = c.done && len(c.chunks) == 0
	out.exitCode = c.exitCode
	return out, true, nil
}

// inbox is a command's stdin: Send appends to it without blocking, and the
// Runner's reads block until data, EOF (End="true") or cancellation.
type inbox struct {
	ctx context.Context

	mu    sync.Mutex
	data  []byte
	eof   bool
	ready chan struct{} // closed on new data or EOF; nil if no reader waits
}

// Read implements io.Reader for the Runner.
func (b *inbox) Read(p []byte) (int, error) {
	for {
		b.mu.Lock()
		if len(b.data) > 0 {
			n := copy(p, b.data)
			b.data = b.data[n:]
			b.mu.Unlock()
			return n, nil
		}
		if b.eof {
			b.mu.Unlock()
			return 0, io.EOF
		}
		if b.ready == nil {
			b.ready = make(chan struct{})
		}
		ready := b.ready
		b.mu.Unlock()

		select {
		case <-ready:
		case <-b.ctx.Done():
			return 0, fmt.Errorf("read stdin: %w", b.ctx.Err())
		}
	}
}

// write appends input and, when end is true, marks EOF. Input after EOF is
// dropped, as Windows does.
func (b *inbox) write(p []byte, end bool) {
	b.mu.Lock()
	defer b.mu.Unlock()

	if b.eof {
		return
	}
	b.data = append(b.data, p...)
	b.eof = end
	if b.ready != nil {
		close(b.ready)
		b.ready = nil
	}
}

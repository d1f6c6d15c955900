package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/smtpverbs/smtpverbs/providers"
)

// DefaultRetryDelay is the wait before the first retry of a connection;
// each further retry waits twice as long.
const DefaultRetryDelay = 2 * time.Second

// open opens a session to ph, trying again up to o.ConnectRetries times
// when a try fails in a way that may pass. Each failed try that is retried
// is passed to note, so that a flaky host shows as such.
func (o Options) open(ctx context.Context, ph providers.Host,
	note func(string)) (providers.Session, error) {
	delay := o.RetryDelay
	if delay <= 0 {
		delay = DefaultRetryDelay
	}

	for attempt := 0; ; attempt++ {
		sess, err := o.Provider.Open(ctx, ph)
		if err == nil || attempt >= o.ConnectRetries || !transient(err) {
			return sess, err
		}

		wait := delay << attempt
		note(fmt.Sprintf("connecting failed (%s); tried again after %s",
			scrub(err.Error(), o.Secrets), wait))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, err
		}
	}
}

// transient reports whether a failure to open a session may pass by itself:
// a timeout, or a connection reset or cut short. A refused connection, a
// name that does not resolve, no route, refused credentials and every
// failure of a host that answered are final: trying again would only delay
// the report.
func transient(err error) bool {
	if providers.KindOf(err) != providers.KindUnreachable {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, context.Canceled) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTimeout || dnsErr.IsTemporary
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// joinNote adds msg to a host's note.
func joinNote(note, msg string) string {
	if note == "" {
		return msg
	}
	return note + "; " + msg
}

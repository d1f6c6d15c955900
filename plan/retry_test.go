package plan

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// flakyProvider fails the first fails opens with err, then opens sessions
// of the wrapped provider.
type flakyProvider struct {
	providers.Provider
	fails int
	err   error
	opens int
}

func (p *flakyProvider) Open(ctx context.Context, h providers.Host) (providers.Session, error) {
	p.opens++
	if p.opens <= p.fails {
		return nil, p.err
	}
	return p.Provider.Open(ctx, h)
}

func unreachable(cause error) error {
	return &providers.HostError{Host: "m", Kind: providers.KindUnreachable,
		Err: &net.OpError{Op: "read", Net: "tcp", Err: cause}}
}

func TestMake_connectRetries(t *testing.T) {
	reset := unreachable(syscall.ECONNRESET)
	tests := []struct {
		name       string
		retries    int
		fails      int
		err        error
		wantStatus Status
		wantOpens  int
	}{
		{"reset then success", 1, 1, reset, StatusChange, 2},
		{"timeout then success", 2, 2, unreachable(os.ErrDeadlineExceeded), StatusChange, 3},
		{"reset every time", 1, 5, reset, StatusUnreachable, 2},
		{"refused is final", 3, 5, unreachable(syscall.ECONNREFUSED), StatusUnreachable, 1},
		{"no route is final", 3, 5, unreachable(syscall.EHOSTUNREACH), StatusUnreachable, 1},
		{"refused credentials are final", 3, 5, &providers.HostError{Host: "m",
			Kind: providers.KindAuth, Err: errors.New("http response error: 401")},
			StatusAuthFailed, 1},
		{"no retries asked", 0, 1, reset, StatusUnreachable, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost("m", "127.0.0.2", verb.SchemaDefault)
			fp := &flakyProvider{Provider: newFakeProvider(h), fails: tt.fails, err: tt.err}
			opts := testOptions(newFakeProvider(h))
			opts.Provider = fp
			opts.ConnectRetries = tt.retries
			opts.RetryDelay = time.Millisecond

			p, err := Make(context.Background(),
				testConfig(testServer("m", "127.0.0.2")), nil, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := p.Hosts[0]
			if got.Status != tt.wantStatus || fp.opens != tt.wantOpens {
				t.Errorf("wrong result\ngot:  %s after %d opens (%s)\nwant: %s after %d opens",
					got.Status, fp.opens, got.Reason, tt.wantStatus, tt.wantOpens)
			}
			retried := strings.Contains(strings.Join(got.Diagnostics, "\n"), "tried again")
			if retried != (tt.wantOpens > 1) {
				t.Errorf("diagnostics %q do not match %d opens", got.Diagnostics, fp.opens)
			}
		})
	}
}

func TestMake_connectRetryStopsOnCancel(t *testing.T) {
	h := newFakeHost("m", "127.0.0.2", verb.SchemaDefault)
	fp := &flakyProvider{Provider: newFakeProvider(h), fails: 5,
		err: unreachable(syscall.ECONNRESET)}
	opts := testOptions(newFakeProvider(h))
	opts.Provider = fp
	opts.ConnectRetries = 3
	opts.RetryDelay = time.Hour

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		Make(ctx, testConfig(testServer("m", "127.0.0.2")), nil, opts)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled plan kept waiting to retry")
	}
	if fp.opens != 1 {
		t.Errorf("wrong number of opens\ngot:  %d\nwant: 1", fp.opens)
	}
}

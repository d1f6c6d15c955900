package lab

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/smtpverbs/smtpverbs/lab/smtpd"
	"github.com/smtpverbs/smtpverbs/lab/winhost"
)

// syncSMTP opens or closes the host's SMTP listeners to match the state of
// its SMTP service. It is called by the simulated host whenever SMTPSVC
// starts or stops.
func (h *Host) syncSMTP(state winhost.SMTPState) {
	h.mu.Lock()
	defer h.mu.Unlock()

	for id, s := range h.smtp {
		s.Close()
		delete(h.smtp, id)
	}
	if !state.Running {
		return
	}

	settings := h.Machine.Settings()
	for _, inst := range state.Instances {
		cfg := smtpd.Config{
			Hostname:  h.Machine.FQDN(),
			Version:   winhost.BannerVersion(settings.Windows),
			Flags:     inst.Flags,
			Exchange:  settings.Exchange != "",
			OpenRelay: settings.OpenRelay,
		}
		addr := net.JoinHostPort(h.Address, strconv.Itoa(inst.Port))
		s, err := listenRetry(h.ctx, addr, cfg)
		if err != nil {
			h.smtpFailure = fmt.Errorf("listen for SMTP on %s: %w", addr, err)
			continue
		}
		h.smtp[inst.ID] = s
	}
}

// listenRetry binds an SMTP listener, retrying briefly: a port closed a
// moment ago by a service restart may still be held by its last sessions.
func listenRetry(ctx context.Context, addr string, cfg smtpd.Config) (*smtpd.Server, error) {
	var err error
	for i := 0; i < 20; i++ {
		var s *smtpd.Server
		if s, err = smtpd.Listen(ctx, addr, cfg); err == nil {
			return s, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return nil, err
}

func (h *Host) smtpErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.smtpFailure
}

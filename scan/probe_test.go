package scan

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/lab/smtpd"
	"github.com/smtpverbs/smtpverbs/verb"
)

// labServer starts a lab IIS SMTP service on a free loopback port.
func labServer(t testing.TB, cfg smtpd.Config) *smtpd.Server {
	t.Helper()
	return labServerAt(t, "127.0.0.1:0", cfg)
}

// labServerAt starts a lab IIS SMTP service on addr.
func labServerAt(t testing.TB, addr string, cfg smtpd.Config) *smtpd.Server {
	t.Helper()
	if cfg.Hostname == "" {
		cfg.Hostname = "mail01.corp.example"
	}
	srv, err := smtpd.Listen(context.Background(), addr, cfg)
	if err != nil {
		t.Fatalf("start lab smtpd: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// ids returns the IDs of r's findings.
func ids(r *Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID)
	}
	return out
}

// codes returns the reply code of each active try, "-" when not tried.
func codes(r *Result) map[string]int {
	out := map[string]int{}
	for k, v := range r.Verbs {
		out[k] = v.Code
	}
	return out
}

func TestProbe_lab(t *testing.T) {
	pci := verb.SchemaDefault &^ 0x480
	// The lab's replies to the active tries, by which bits are set.
	allOn := map[string]int{"TURN": 530, "ATRN": 500, "ETRN": 250, "VRFY": 252, "EXPN": 500}
	allOff := map[string]int{"TURN": 500, "ATRN": 500, "ETRN": 500, "VRFY": 252, "EXPN": 500}
	tests := []struct {
		name       string
		cfg        smtpd.Config
		opts       Options
		family     Family
		windows    string
		offers     []string
		notOffered []string
		codes      map[string]int
		findings   []string
		hasFinding bool
	}{
		{
			name:       "iis default",
			cfg:        smtpd.Config{Version: "10.0.17763.1697", Flags: verb.SchemaDefault},
			opts:       Options{STARTTLS: true},
			family:     FamilyIIS,
			windows:    "Windows Server 2019",
			offers:     []string{"TURN", "ETRN", "VRFY"},
			notOffered: []string{"ATRN", "EXPN"},
			codes:      allOn,
			findings:   []string{"SV-TURN", "SV-ETRN", "SV-NOTLS"},
			hasFinding: true,
		},
		{
			name:       "iis pci baseline",
			cfg:        smtpd.Config{Version: "6.0.3790.3959", Flags: pci},
			opts:       Options{STARTTLS: true, Relay: true},
			family:     FamilyIIS,
			windows:    "Windows Server 2003",
			offers:     []string{"VRFY", "8BITMIME"},
			notOffered: []string{"TURN", "ATRN", "ETRN", "EXPN"},
			codes:      allOff,
			findings:   []string{"SV-NOTLS"},
			hasFinding: false,
		},
		{
			name: "exchange 2003",
			cfg: smtpd.Config{Version: "6.0.3790.3959", Flags: verb.SchemaDefault,
				Exchange: true},
			family:  FamilyExchange2003,
			windows: "Windows Server 2003",
			offers:  []string{"TURN", "ATRN", "ETRN", "XEXCH50"},
			codes: map[string]int{"TURN": 530, "ATRN": 530, "ETRN": 250, "VRFY": 252,
				"EXPN": 500},
			findings:   []string{"SV-TURN", "SV-ATRN", "SV-ETRN"},
			hasFinding: true,
		},
		{
			name:       "open relay",
			cfg:        smtpd.Config{Version: "7.5.7601.17514", Flags: pci, OpenRelay: true},
			opts:       Options{Relay: true},
			family:     FamilyIIS,
			windows:    "Windows Server 2008 R2",
			codes:      allOff,
			findings:   []string{"SV-RELAY"},
			hasFinding: true,
		},
		{
			name:       "exchange 2007 banner",
			cfg:        smtpd.Config{Flags: pci},
			family:     FamilyExchange,
			codes:      allOff,
			hasFinding: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := labServer(t, tt.cfg)
			r := Probe(context.Background(), srv.Addr(), tt.opts)
			if r.Err != nil {
				t.Fatalf("Probe: %v\n%s", r.Err, transcript(r))
			}

			if r.Server.Family != tt.family || r.Server.Windows != tt.windows {
				t.Errorf("wrong server\ngot:  %+v\nwant: %s on %q", r.Server, tt.family, tt.windows)
			}
			for _, v := range tt.offers {
				if !r.Offers(v) {
					t.Errorf("wrong result\ngot:  %s not offered\nwant: offered", v)
				}
			}
			for _, v := range tt.notOffered {
				if r.Offers(v) {
					t.Errorf("wrong result\ngot:  %s offered\nwant: not offered", v)
				}
			}
			if got := codes(r); !mapsEqual(got, tt.codes) {
				t.Errorf("wrong reply codes\ngot:  %v\nwant: %v", got, tt.codes)
			}
			if got := ids(r); !slices.Equal(got, tt.findings) {
				t.Errorf("wrong findings\ngot:  %v\nwant: %v", got, tt.findings)
			}
			if got := r.HasFindings(); got != tt.hasFinding {
				t.Errorf("wrong HasFindings\ngot:  %v\nwant: %v", got, tt.hasFinding)
			}
			if srv.Sessions() != 1 {
				t.Errorf("wrong session count\ngot:  %d\nwant: 1", srv.Sessions())
			}
		})
	}
}

func TestProbe_labEvidence(t *testing.T) {
	srv := labServer(t, smtpd.Config{Version: "10.0.17763.1697", Flags: verb.SchemaDefault})
	r := Probe(context.Background(), srv.Addr(), Options{Relay: true})

	wantEHLO := []string{"TURN", "SIZE", "ETRN", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES",
		"8BITMIME", "BINARYMIME", "CHUNKING", "VRFY"}
	if !slices.Equal(r.EHLO, wantEHLO) {
		t.Errorf("wrong EHLO keywords\ngot:  %q\nwant: %q", r.EHLO, wantEHLO)
	}
	if !r.HelpLists("TURN") || r.HelpLists("ATRN") {
		t.Errorf("wrong HELP parse of %q", r.HELPRaw)
	}
	if r.Relay == nil || r.Relay.Code != 550 ||
		r.Relay.Command != "RCPT TO:<smtpverbs-probe@example.net>" {
		t.Errorf("wrong relay reply\ngot:  %+v\nwant: 550 to RCPT TO:<smtpverbs-probe@example.net>",
			r.Relay)
	}

	// The evidence of SV-TURN is the EHLO line and the exchange, verbatim.
	want := "S: 250-TURN\nC: TURN\nS: 530 5.7.1 Client was not authenticated"
	if len(r.Findings) == 0 || r.Findings[0].Evidence != want {
		t.Errorf("wrong evidence\ngot:  %+v\nwant: %q", r.Findings, want)
	}
	if f := r.Findings[0]; !strings.Contains(f.Remedy, `disable = ["TURN", "ATRN"]`) ||
		!slices.Contains(f.Refs, "RFC 1985") {
		t.Errorf("wrong remedy or refs for IIS\ngot:  %q %q", f.Remedy, f.Refs)
	}

	// The transcript starts with the banner and ends with QUIT's reply.
	first, last := r.Transcript[0], r.Transcript[len(r.Transcript)-1]
	if first.Dir != "S" || !strings.HasPrefix(first.Text, "220 mail01.corp.example Microsoft") ||
		last.String() != "S: 221 2.0.0 mail01.corp.example Service closing transmission channel" {
		t.Errorf("wrong transcript ends\ngot:  %v ... %v", first, last)
	}
	// ETRN names the domain from the banner.
	if got := r.Verbs["ETRN"].Command; got != "ETRN corp.example" {
		t.Errorf("wrong ETRN command\ngot:  %q\nwant: ETRN corp.example", got)
	}
}

func TestScanAll(t *testing.T) {
	a := labServer(t, smtpd.Config{Version: "10.0.17763.1697", Flags: verb.SchemaDefault})
	b := labServer(t, smtpd.Config{Version: "10.0.17763.1697", Flags: 0})
	closed := closedPort(t)
	targets := []string{a.Addr(), closed, b.Addr(), "", a.Addr()}

	rs := ScanAll(context.Background(), targets, Options{Parallelism: 2})
	if len(rs) != len(targets) {
		t.Fatalf("wrong result count\ngot:  %d\nwant: %d", len(rs), len(targets))
	}
	for i, r := range rs {
		if r.Target != targets[i] {
			t.Errorf("wrong order at %d\ngot:  %q\nwant: %q", i, r.Target, targets[i])
		}
	}
	wantErr := []bool{false, true, false, true, false}
	for i, r := range rs {
		if (r.Err != nil) != wantErr[i] {
			t.Errorf("wrong error for %q\ngot:  %v\nwant error: %v", r.Target, r.Err, wantErr[i])
		}
	}
	if !rs[0].Offers("TURN") || rs[2].Offers("TURN") {
		t.Errorf("wrong results: TURN offered by %v and %v", rs[0].Offers("TURN"),
			rs[2].Offers("TURN"))
	}

	// A cancelled context still gives a result per target.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rs = ScanAll(ctx, targets, Options{})
	for i, r := range rs {
		if r == nil || r.Err == nil {
			t.Errorf("wrong result %d after cancel\ngot:  %+v\nwant: an error", i, r)
		}
	}
}

func TestNormalizeTarget(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"mail01", "mail01:25", ""},
		{"mail01:2525", "mail01:2525", ""},
		{"127.0.0.1", "127.0.0.1:25", ""},
		{"::1", "[::1]:25", ""},
		{"[::1]:587", "[::1]:587", ""},
		{"[::1]", "[::1]:25", ""},
		{" ", "", "empty target"},
		{"smtp://mail01", "", "not a URL"},
		{"mail01:0", "", "port from 1 to 65535"},
		{"mail01:smtp", "", "port from 1 to 65535"},
		{":25", "", "port from 1 to 65535"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := normalizeTarget(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("wrong result\ngot:  %q, %v\nwant: error with %q", got, err,
						tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("wrong result\ngot:  %q, %v\nwant: %q", got, err, tt.want)
			}
		})
	}
}

// transcript formats r's transcript for failure messages.
func transcript(r *Result) string {
	var b strings.Builder
	for _, l := range r.Transcript {
		b.WriteString(l.String() + "\n")
	}
	return b.String()
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

package scan

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// postfixServices is the part of master.cf every instance needs besides
// its smtpd listeners; nothing is chrooted.
const postfixServices = `
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`

// startPostfix runs a private Postfix instance with one smtpd listener on
// a free 127.0.0.1 port per entry of listeners (its -o overrides), and
// returns the addresses in the same order. The instance has its own
// configuration, queue and log under a temporary directory, and is stopped
// when the test ends. Nothing listens on port 25.
func startPostfix(t *testing.T, listeners [][]string) []string {
	t.Helper()
	if _, err := exec.LookPath("postfix"); err != nil {
		t.Skip("postfix is not installed: apt-get install postfix " +
			"(preseed postfix/main_mailer_type 'No configuration' so no daemon starts)")
	}
	if os.Geteuid() != 0 {
		t.Skip("a private postfix instance must be started as root")
	}

	// The postfix user must be able to reach the queue and data directories.
	dir, err := os.MkdirTemp("", "smtpverbs-postfix-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	etc, queue, data := filepath.Join(dir, "etc"), filepath.Join(dir, "queue"),
		filepath.Join(dir, "data")
	for _, d := range []string{etc, queue, data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("chown", "postfix", data).CombinedOutput(); err != nil {
		t.Skipf("cannot give %s to the postfix user: %v %s", data, err, out)
	}
	certFile, keyFile := writeCert(t, dir)

	var master strings.Builder
	var addrs []string
	for _, opts := range listeners {
		addr := closedPort(t)
		addrs = append(addrs, addr)
		master.WriteString(addr + " inet n - n - - smtpd")
		for _, o := range opts {
			master.WriteString(" -o " + o)
		}
		master.WriteString("\n")
	}
	master.WriteString(postfixServices)

	mainCf := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s
data_directory = %[2]s
myhostname = pfx.test.invalid
mydestination = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 192.0.2.1/32
alias_maps =
alias_database =
local_recipient_maps =
maillog_file_prefixes = %[3]s
maillog_file = %[3]s/maillog
smtpd_tls_cert_file = %[4]s
smtpd_tls_key_file = %[5]s
smtpd_tls_security_level = may
`, queue, data, dir, certFile, keyFile)
	write(t, filepath.Join(etc, "main.cf"), mainCf)
	write(t, filepath.Join(etc, "master.cf"), master.String())

	postfix := func(action string) ([]byte, error) {
		return exec.Command("postfix", "-c", etc, action).CombinedOutput()
	}
	if out, err := postfix("start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "maillog"))
		t.Skipf("postfix would not start: %v %s\n%s", err, out, log)
	}
	t.Cleanup(func() {
		if out, err := postfix("stop"); err != nil {
			t.Errorf("postfix stop: %v %s", err, out)
			_, _ = postfix("abort")
		}
	})

	// Wait until every listener answers; master opens them on start.
	for _, a := range addrs {
		if !waitListening(a) {
			log, _ := os.ReadFile(filepath.Join(dir, "maillog"))
			t.Fatalf("postfix does not listen on %s\n%s", a, log)
		}
	}
	return addrs
}

// waitListening polls addr until a connection succeeds, for up to a minute.
func waitListening(addr string) bool {
	for range 600 {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeCert writes a self-signed certificate and key for Postfix.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	cert := selfSigned(t, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	write(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE",
		Bytes: cert.Certificate[0]})))
	write(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})))
	return certFile, keyFile
}

func TestProbe_postfix(t *testing.T) {
	tests := []struct {
		name      string
		overrides []string
		findings  []string
		check     func(t *testing.T, r *Result)
	}{
		{"defaults", nil, []string{"SV-ETRN"}, func(t *testing.T, r *Result) {
			if !r.Advertises("VRFY") || r.TLS == nil || r.TLS.Subject != "CN=fake.test.example" {
				t.Errorf("wrong result\ngot:  VRFY %v TLS %+v", r.Advertises("VRFY"), r.TLS)
			}
			if !strings.Contains(r.Findings[0].Remedy, "smtpd_etrn_restrictions = reject") {
				t.Errorf("wrong remedy\ngot:  %q", r.Findings[0].Remedy)
			}
		}},
		{"etrn hidden", []string{"smtpd_discard_ehlo_keywords=etrn"},
			[]string{"SV-ETRN-HIDDEN"}, nil},
		{"etrn hidden and rejected", []string{"smtpd_discard_ehlo_keywords=etrn",
			"smtpd_etrn_restrictions=reject"}, nil, func(t *testing.T, r *Result) {
			if got := r.Verbs["ETRN"].Code; got != 554 {
				t.Errorf("wrong ETRN reply\ngot:  %d\nwant: 554", got)
			}
		}},
		{"vrfy disabled", []string{"disable_vrfy_command=yes"}, []string{"SV-ETRN"},
			func(t *testing.T, r *Result) {
				if r.Advertises("VRFY") || r.Verbs["VRFY"].Code != 502 {
					t.Errorf("wrong result\ngot:  VRFY advertised %v, reply %v",
						r.Advertises("VRFY"), r.Verbs["VRFY"].Lines)
				}
			}},
	}

	var listeners [][]string
	for _, tt := range tests {
		listeners = append(listeners, tt.overrides)
	}
	addrs := startPostfix(t, listeners)

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Probe(context.Background(), addrs[i], Options{Relay: true, STARTTLS: true})
			if r.Err != nil {
				t.Fatalf("Probe: %v\n%s", r.Err, transcript(r))
			}
			if r.Server.Family != FamilyPostfix {
				t.Errorf("wrong server\ngot:  %+v\nwant: postfix", r.Server)
			}
			if got := ids(r); !slices.Equal(got, tt.findings) {
				t.Errorf("wrong findings\ngot:  %v\nwant: %v\n%s", got, tt.findings, transcript(r))
			}
			if r.Offers("TURN") || r.Offers("ATRN") || r.Relay == nil || r.Relay.Code/100 == 2 {
				t.Errorf("wrong result\ngot:  TURN %v ATRN %v relay %+v", r.Offers("TURN"),
					r.Offers("ATRN"), r.Relay)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

package command

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLab_runsUntilInterrupted runs `smtpverbs lab` as a user would, checks
// the table and the files, talks SMTP to a host, then interrupts it and
// checks that it exits cleanly and closes its listeners.
func TestLab_runsUntilInterrupted(t *testing.T) {
	var octet [1]byte
	rand.Read(octet[:])
	base := fmt.Sprintf("127.%d.0.1", 16+int(octet[0])%224)
	dir := filepath.Join(t.TempDir(), "lab")

	interrupt := make(chan struct{})
	var stdout, stderr syncBuffer
	env := &Env{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Now: time.Now, Interrupt: interrupt,
	}
	done := make(chan int, 1)
	go func() {
		done <- Main([]string{"lab", "-hosts", "3", "-dir", dir, "-base", base}, env)
	}()

	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "Press Ctrl-C to stop.") {
		select {
		case code := <-done:
			t.Fatalf("lab exited early with %d\nstdout:\n%s\nstderr:\n%s", code,
				stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("lab did not come up\nstdout:\n%s", stdout.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	out := stdout.String()
	for _, want := range []string{"NAME", "mail001", "mail003", base, "3 hosts up",
		"lab.json", "lab.smtp.hcl", "ca.pem"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	data, err := os.ReadFile(filepath.Join(dir, "lab.json"))
	if err != nil {
		t.Fatalf("lab.json: %v", err)
	}
	var lj struct {
		Hosts []struct {
			SMTP     string `json:"smtp"`
			Password string `json:"password"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(data, &lj); err != nil || len(lj.Hosts) != 3 {
		t.Fatalf("lab.json: %v, %d hosts", err, len(lj.Hosts))
	}
	if strings.Contains(out, lj.Hosts[0].Password) {
		t.Error("the lab's password was printed")
	}
	smtp := lj.Hosts[0].SMTP
	if c, err := net.DialTimeout("tcp", smtp, 5*time.Second); err != nil {
		t.Fatalf("SMTP %s not reachable while the lab runs: %v", smtp, err)
	} else {
		c.Close()
	}

	close(interrupt)
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("lab exited with %d after an interrupt, want 0\nstderr:\n%s", code,
				stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("lab did not stop after an interrupt")
	}
	if c, err := net.DialTimeout("tcp", smtp, 2*time.Second); err == nil {
		c.Close()
		t.Errorf("SMTP %s still accepts connections after the lab stopped", smtp)
	}
}

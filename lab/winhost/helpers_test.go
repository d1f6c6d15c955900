package winhost

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	goldenfile "github.com/smtpverbs/smtpverbs/internal/golden"
)

const (
	testMdutil  = `C:\Windows\System32\inetsrv\mdutil.exe`
	testAdsutil = `C:\Inetpub\AdminScripts\adsutil.vbs`
	adsutilCmd  = `cscript //nologo ` + testAdsutil + ` `
)

func u32(v uint32) *uint32 { return &v }

// testSettings is a running Windows 2019 host with both tools and two
// virtual servers: 1 explicit, 2 inheriting from nothing.
func testSettings() Settings {
	return Settings{
		Computer:    "MAIL01",
		Domain:      "corp.example",
		Windows:     "2019",
		MdutilPath:  testMdutil,
		AdsutilPath: testAdsutil,
		Instances: []InstanceSettings{
			{ID: 1, Value: u32(7697601), Port: 25},
			{ID: 2, Port: 26},
		},
		SMTPRunning: true,
	}
}

// newHost builds a host from testSettings changed by mutate.
func newHost(t testing.TB, mutate func(*Settings)) *Host {
	t.Helper()
	s := testSettings()
	if mutate != nil {
		mutate(&s)
	}
	h, err := New(s)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

// result is what one Run produced.
type result struct {
	stdout, stderr string
	code           int
}

// run runs one command line with a background context and no input.
func run(h *Host, line string) result {
	return runCtx(context.Background(), h, line)
}

func runCtx(ctx context.Context, h *Host, line string) result {
	var out, errOut bytes.Buffer
	code := h.Run(ctx, line, nil, &out, &errOut)
	return result{out.String(), errOut.String(), code}
}

// mustRun runs a line and fails the test unless it exits 0.
func mustRun(t *testing.T, h *Host, line string) string {
	t.Helper()
	r := run(h, line)
	if r.code != 0 {
		t.Fatalf("%s: exit %d\nstdout: %q\nstderr: %q", line, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// golden compares got with testdata/name (see package golden).
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), []byte(got))
}

// check compares one Run result with the expected one.
func check(t *testing.T, line string, got, want result) {
	t.Helper()
	if got != want {
		t.Errorf("wrong result for %s\ngot:  %q / %q / exit %d\nwant: %q / %q / exit %d",
			line, got.stdout, got.stderr, got.code, want.stdout, want.stderr, want.code)
	}
}

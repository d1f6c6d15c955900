package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad checks that no input makes Load panic and that an input either
// loads or says why. The seeds are every testdata configuration; go test
// runs them, go test -fuzz=FuzzLoad explores further.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "bad", "*"+FileSuffix))
	for _, path := range seeds {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(policySource))

	f.Fuzz(func(t *testing.T, src []byte) {
		c, diags := loadSource(t, src, Inputs{})
		if c == nil {
			t.Fatal("Load returned a nil Config")
		}
		if !diags.HasErrors() && len(c.Servers) > 0 && c.Servers[0].Connection == nil {
			t.Errorf("server without connection loaded without error\nsource:\n%s", src)
		}
	})
}

// TestLoad_digest checks that the digest depends on the file contents and
// names but not on the directory they are in.
func TestLoad_digest(t *testing.T) {
	digest := func(name, text string) string {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, name), text)
		c, _ := Load(dir, Inputs{Getenv: testEnv, Now: testNow})
		return c.Digest
	}
	a := digest("a.smtp.hcl", policySource)
	tests := []struct {
		name string
		got  string
		same bool
	}{
		{"same files elsewhere", digest("a.smtp.hcl", policySource), true},
		{"other name", digest("b.smtp.hcl", policySource), false},
		{"other content", digest("a.smtp.hcl", policySource+"\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.got == a) != tt.same {
				t.Errorf("wrong digest\ngot: %s\nwant equal to %s: %v", tt.got, a, tt.same)
			}
		})
	}
}

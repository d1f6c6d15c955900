// Package golden compares output in tests with golden files kept under
// testdata, and rewrites those files instead when the test binary runs with
// -update (go test ./PKG -update).
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files instead of comparing with them")

// Check fails t when got differs from the file at path. With -update it
// writes got to path first, creating its directory, so the check passes and
// the change shows in version control for review.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test -update creates it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("wrong result for %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s",
			path, got, want)
	}
}

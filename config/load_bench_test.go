package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoad loads a fleet of 200 servers (100 plain blocks, one
// for_each block of 100 instances) with a baseline and an exception, and
// reports the time per server.
func BenchmarkLoad(b *testing.B) {
	var src strings.Builder
	src.WriteString(policySource)
	src.WriteString("variable \"fleet\" {\n  default = {\n")
	for i := range 100 {
		fmt.Fprintf(&src, "    h%d = \"10.1.%d.%d\"\n", i, i/250, i%250+1)
	}
	src.WriteString("  }\n}\n\nserver \"fleet\" {\n  for_each  = var.fleet\n" +
		"  address   = each.value\n  baselines = [\"pci\"]\n}\n")
	for i := range 96 {
		fmt.Fprintf(&src, "server \"s%d\" {\n  address   = \"10.2.0.%d\"\n"+
			"  baselines = [\"pci\", \"modern\"]\n  groups    = [\"g%d\"]\n}\n", i, i+1, i%5)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main"+FileSuffix), []byte(src.String()),
		0o600); err != nil {
		b.Fatal(err)
	}

	in := Inputs{Getenv: testEnv, Now: testNow}
	var servers int
	for b.Loop() {
		c, diags := Load(dir, in)
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		servers = len(c.Servers)
	}
	b.ReportMetric(float64(servers), "servers")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*servers), "µs/server")
}

package winhost

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

const (
	smtpName    = "Simple Mail Transfer Protocol (SMTP)"
	stoppedSMTP = "The " + smtpName + " service is stopping.\r\n" +
		"The " + smtpName + " service was stopped successfully.\r\n\r\n"
	startedSMTP = "The " + smtpName + " service is starting.\r\n" +
		"The " + smtpName + " service was started successfully.\r\n\r\n"
)

func TestNet(t *testing.T) {
	tests := []struct {
		name    string
		running bool
		line    string
		want    result
	}{
		{"stop", true, "net stop smtpsvc", result{stoppedSMTP, "", 0}},
		{"stop start", true, "net stop smtpsvc /y && net start smtpsvc",
			result{stoppedSMTP + startedSMTP, "", 0}},
		{"start stopped", false, "net start SMTPSVC", result{startedSMTP, "", 0}},
		{"start by display name", false, `net start "` + smtpName + `"`,
			result{startedSMTP, "", 0}},
		{"already started", true, "net start smtpsvc", result{"",
			"The requested service has already been started.\r\n\r\n" +
				"More help is available by typing NET HELPMSG 2182.\r\n\r\n", 2}},
		{"not started", false, "net stop smtpsvc", result{"",
			"The " + smtpName + " service is not started.\r\n\r\n" +
				"More help is available by typing NET HELPMSG 3521.\r\n\r\n", 2}},
		{"invalid", true, "net start nosuch", result{"", "The service name is invalid.\r\n\r\n" +
			"More help is available by typing NET HELPMSG 2185.\r\n\r\n", 2}},
		{"iisadmin y", true, "net stop iisadmin /y", result{
			"The following services are dependent on the IIS Admin Service service.\r\n" +
				"Stopping the IIS Admin Service service will also stop these services.\r\n\r\n" +
				"   " + smtpName + "\r\n\r\n" + stoppedSMTP +
				"The IIS Admin Service service is stopping.\r\n" +
				"The IIS Admin Service service was stopped successfully.\r\n\r\n", "", 0}},
		{"iisadmin no y", true, "net stop iisadmin", result{
			"The following services are dependent on the IIS Admin Service service.\r\n" +
				"Stopping the IIS Admin Service service will also stop these services.\r\n\r\n" +
				"   " + smtpName + "\r\n\r\n" +
				"Do you want to continue this operation? (Y/N) [N]: \r\n" +
				"No valid response was provided.\r\n\r\n", "", 2}},
		{"list", true, "net start", result{"These Windows services are started:\r\n\r\n" +
			"   IIS Admin Service\r\n   " + smtpName + "\r\n\r\n" +
			"The command completed successfully.\r\n\r\n", "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t, func(s *Settings) { s.SMTPRunning = tt.running })
			check(t, tt.line, run(h, tt.line), tt.want)
		})
	}
}

func TestNetStartsDependencies(t *testing.T) {
	h := newHost(t, nil)
	mustRun(t, h, "net stop iisadmin /y")
	if got := h.ServiceState("IISADMIN") + " " + h.ServiceState("smtpsvc"); got !=
		"STOPPED STOPPED" {
		t.Fatalf("wrong result\ngot:  %s\nwant: STOPPED STOPPED", got)
	}
	mustRun(t, h, "net start smtpsvc")
	if got := h.ServiceState("IISADMIN") + " " + h.ServiceState("smtpsvc"); got !=
		"RUNNING RUNNING" {
		t.Fatalf("wrong result\ngot:  %s\nwant: RUNNING RUNNING", got)
	}
	if got := h.ServiceState("W3SVC"); got != "" {
		t.Errorf("wrong result\ngot:  %q\nwant: \"\" for an unknown service", got)
	}
}

func TestSCQuery(t *testing.T) {
	h := newHost(t, func(s *Settings) {
		s.Windows, s.Exchange, s.SMTPRunning = "2003", "2003", false
	})
	var b strings.Builder
	for _, svc := range []string{"smtpsvc", "IISADMIN", "RESvc", "MSExchangeIS"} {
		b.WriteString(mustRun(t, h, "sc query "+svc))
	}
	golden(t, "sc_query.golden", b.String())

	check(t, "sc query nosuch", run(h, "sc query nosuch"), result{
		"[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\n" +
			"The specified service does not exist as an installed service.\r\n\r\n", "", 1060})

	// Without Exchange the Exchange services do not exist.
	plain := newHost(t, nil)
	if r := run(plain, "sc query MSExchangeIS"); r.code != 1060 {
		t.Errorf("wrong result\ngot:  exit %d\nwant: exit 1060", r.code)
	}
}

// TestRestartTakesConfig checks that metabase changes reach the SMTP
// service only when it restarts.
func TestRestartTakesConfig(t *testing.T) {
	h := newHost(t, nil)
	mustRun(t, h, md+"set -path:smtpsvc/1 -prop:36998 -value:0x757041")
	if got := h.Running().Instances[0].Flags; got != verb.SchemaDefault {
		t.Fatalf("wrong result\ngot:  %s before the restart\nwant: %s", got, verb.SchemaDefault)
	}

	mustRun(t, h, "net stop smtpsvc && net start smtpsvc")
	want := SMTPState{Running: true, Instances: []RunningInstance{
		{ID: 1, Port: 25, Flags: 0x757041}, {ID: 2, Port: 26, Flags: verb.SchemaDefault}}}
	if got := h.Running(); !equalState(got, want) {
		t.Fatalf("wrong result\ngot:  %+v\nwant: %+v", got, want)
	}

	mustRun(t, h, "net stop smtpsvc")
	if got := h.Running(); got.Running || len(got.Instances) != 0 {
		t.Fatalf("wrong result\ngot:  %+v\nwant: not running", got)
	}
}

func equalState(a, b SMTPState) bool {
	if a.Running != b.Running || len(a.Instances) != len(b.Instances) {
		return false
	}
	for i := range a.Instances {
		if a.Instances[i] != b.Instances[i] {
			return false
		}
	}
	return true
}

// TestExchangeDS2MB checks that a start of SMTPSVC on an Exchange host
// overwrites the instance values with the directory copy.
func TestExchangeDS2MB(t *testing.T) {
	h := newHost(t, func(s *Settings) {
		s.Windows, s.Exchange = "2003", "2003"
		s.Instances = []InstanceSettings{
			{ID: 1, Value: u32(7697601), DirectoryValue: u32(3503297)},
			{ID: 2, Port: 26},
		}
	})
	if v, _ := h.Value(1); v != 3503297 {
		t.Fatalf("wrong result\ngot:  %d at start\nwant: 3503297 from the directory", v)
	}

	mustRun(t, h, md+"set -path:smtpsvc/1 -prop:36998 -value:0x357041")
	if v, _ := h.Value(1); v != 0x357041 {
		t.Fatalf("wrong result\ngot:  %#x after the write\nwant: 0x357041", v)
	}
	mustRun(t, h, "net stop smtpsvc && net start smtpsvc")

	v1, _ := h.Value(1)
	v2, src2 := h.Value(2)
	if v1 != 3503297 || v2 != 7697601 || src2 != "/LM/SmtpSvc/2" {
		t.Errorf("wrong result\ngot:  %d, %d (%s)\nwant: 3503297, 7697601 (/LM/SmtpSvc/2)",
			v1, v2, src2)
	}
	if got := h.Running().Instances[0].Flags; got != 3503297 {
		t.Errorf("wrong result\ngot:  running %d\nwant: 3503297", got)
	}
}

func TestFrozenSMTP(t *testing.T) {
	h := newHost(t, func(s *Settings) { s.Faults.FrozenSMTP = true })
	mustRun(t, h, md+"set -path:smtpsvc/1 -prop:36998 -value:0x757041")
	mustRun(t, h, "net stop smtpsvc && net start smtpsvc")
	if got := h.Running().Instances[0].Flags; got != verb.SchemaDefault {
		t.Errorf("wrong result\ngot:  %s\nwant: still %s", got, verb.SchemaDefault)
	}
	if v, _ := h.Value(1); v != 0x757041 {
		t.Errorf("wrong result\ngot:  metabase %#x\nwant: 0x757041", v)
	}
}

func TestStartFails(t *testing.T) {
	h := newHost(t, func(s *Settings) { s.Faults.StartFails = true })
	got := run(h, "net stop smtpsvc & net start smtpsvc")
	want := result{stoppedSMTP + "The " + smtpName + " service is starting.\r\n" +
		"The " + smtpName + " service could not be started.\r\n\r\n",
		"A system error has occurred.\r\n\r\nSystem error 1067 has occurred.\r\n\r\n" +
			"The process terminated unexpectedly.\r\n\r\n", 2}
	check(t, "start fails", got, want)
	if !strings.Contains(mustRun(t, h, "sc query smtpsvc"), "WIN32_EXIT_CODE    : 1067  (0x42b)") {
		t.Error("sc query does not show exit code 1067")
	}
	if h.Running().Running {
		t.Error("SMTP still running after a failed start")
	}
}

// TestRestartDelay checks the slow path: the pending states, net's output,
// and a caller that gives up while the service is still stopping.
func TestRestartDelay(t *testing.T) {
	h := newHost(t, func(s *Settings) { s.Faults.RestartDelay = time.Hour })

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result)
	go func() { done <- runCtx(ctx, h, "net stop smtpsvc & echo never") }()

	waitFor(t, func() bool { return h.ServiceState("SMTPSVC") == "STOP_PENDING" })
	if got := mustRun(t, h, "sc query smtpsvc"); !strings.Contains(got, "3  STOP_PENDING") {
		t.Errorf("wrong result\ngot:  %q\nwant: STOP_PENDING", got)
	}
	if r := run(h, "net start smtpsvc"); r.code != 2 || !strings.Contains(r.stderr, "2189") {
		t.Errorf("wrong result\ngot:  %+v\nwant: error 2189 while pending", r)
	}

	cancel()
	got := <-done
	check(t, "cancelled stop", got, result{"The " + smtpName + " service is stopping.\r\n",
		"", 1})
	if s := h.ServiceState("SMTPSVC"); s != "STOP_PENDING" {
		t.Errorf("wrong result\ngot:  %s\nwant: the stop still pending", s)
	}
}

// TestRestartDelayCompletes checks a short delay completes with the
// callbacks called in order, outside the host's lock.
func TestRestartDelayCompletes(t *testing.T) {
	h := newHost(t, func(s *Settings) { s.Faults.RestartDelay = 20 * time.Millisecond })
	var mu sync.Mutex
	var seen []bool
	h.OnSMTPChange(func(s SMTPState) {
		h.Value(1) // would deadlock if called under the host's lock
		mu.Lock()
		seen = append(seen, s.Running)
		mu.Unlock()
	})

	got := run(h, "net stop smtpsvc && net start smtpsvc")
	check(t, "slow restart", got, result{stoppedSMTP + startedSMTP, "", 0})

	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] || !seen[1] {
		t.Errorf("wrong result\ngot:  callbacks %v\nwant: [false true]", seen)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 2000; i++ {
		if cond() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition never became true")
}

// TestConcurrentRuns runs reads, writes and restarts at once; run it with
// -race.
func TestConcurrentRuns(t *testing.T) {
	h := newHost(t, nil)
	h.OnSMTPChange(func(SMTPState) {})
	lines := []string{
		md + "enum_all -path:smtpsvc",
		md + "set -path:smtpsvc/2 -prop:36998 -value:0x757041",
		adsutilCmd + "GET smtpsvc/1/SmtpInboundCommandSupportOptions",
		"net stop smtpsvc & net start smtpsvc",
		"sc query smtpsvc & type C:\\Windows\\System32\\inetsrv\\MetaBase.xml",
	}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			run(h, lines[i%len(lines)])
		}(i)
	}
	wg.Wait()
	if v, _ := h.Value(2); v != 0x757041 {
		t.Errorf("wrong result\ngot:  %#x\nwant: 0x757041", v)
	}
}

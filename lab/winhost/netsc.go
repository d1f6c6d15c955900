package winhost

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// netTick is how often net prints a progress dot while a service starts or
// stops.
const netTick = time.Second

// exitNet is net's exit code for every failure.
const exitNet = 2

// net runs `net start|stop <service> [/y]` and `net start` (the list).
func (sh *shell) net(args []string) int {
	yes := false
	var words []string
	for _, a := range args {
		switch strings.ToLower(a) {
		case "/y", "/yes":
			yes = true
		case "/n", "/no":
		default:
			words = append(words, a)
		}
	}
	if len(words) == 0 {
		return sh.netSyntax()
	}

	name := strings.Join(words[1:], " ")
	switch strings.ToLower(words[0]) {
	case "start":
		if name == "" {
			return sh.netList()
		}
		return sh.netStart(name)
	case "stop":
		if name == "" {
			writeLines(sh.stderr, "The syntax of this command is:", "", "NET STOP", "service", "")
			return 1
		}
		return sh.netStop(name, yes)
	}
	return sh.netSyntax()
}

// netSyntax prints net's summary of its commands.
func (sh *shell) netSyntax() int {
	writeLines(sh.stderr, "The syntax of this command is:", "", "NET",
		"    [ ACCOUNTS | COMPUTER | CONFIG | CONTINUE | FILE | GROUP | HELP |",
		"      HELPMSG | LOCALGROUP | PAUSE | SESSION | SHARE | START |",
		"      STATISTICS | STOP | TIME | USE | USER | VIEW ]", "")
	return 1
}

// netError prints one of net's numbered errors.
func (sh *shell) netError(text string, code int) int {
	writeLines(sh.stderr, text, "", fmt.Sprintf("More help is available by typing NET "+
		"HELPMSG %d.", code), "")
	return exitNet
}

// netList prints the started services.
func (sh *shell) netList() int {
	sh.h.mu.Lock()
	var names []string
	for _, n := range sh.h.order {
		if s := sh.h.services[n]; s.state == stateRunning {
			names = append(names, s.display)
		}
	}
	sh.h.mu.Unlock()

	sort.Strings(names)
	lines := []string{"These Windows services are started:", ""}
	for _, n := range names {
		lines = append(lines, "   "+n)
	}
	lines = append(lines, "", "The command completed successfully.", "")
	writeLines(sh.stdout, lines...)
	return 0
}

// netStart starts a service after the services it depends on.
func (sh *shell) netStart(name string) int {
	h := sh.h
	h.mu.Lock()
	s := h.lookupService(name)
	switch {
	case s == nil:
		h.mu.Unlock()
		return sh.netError("The service name is invalid.", 2185)
	case s.state == stateRunning:
		h.mu.Unlock()
		return sh.netError("The requested service has already been started.", 2182)
	case s.state != stateStopped:
		h.mu.Unlock()
		return sh.netError("The service is starting or stopping.  Please try again later.",
			2189)
	}

	// The service control manager starts stopped dependencies first,
	// without net saying so.
	for _, dep := range s.dependsOn {
		if d := h.services[dep]; d != nil && d.state == stateStopped {
			h.beginStart(d)
		}
	}
	done := h.beginStart(s)
	display := s.display
	h.unlock()

	if !sh.wait(fmt.Sprintf("The %s service is starting.", display), done) {
		return 1
	}

	h.mu.Lock()
	started := s.state == stateRunning
	exit := s.exitCode
	h.mu.Unlock()
	if !started {
		writeLines(sh.stdout, fmt.Sprintf("The %s service could not be started.", display), "")
		writeLines(sh.stderr, "A system error has occurred.", "",
			fmt.Sprintf("System error %d has occurred.", exit), "",
			"The process terminated unexpectedly.", "")
		return exitNet
	}
	writeLines(sh.stdout, fmt.Sprintf("The %s service was started successfully.", display), "")
	return 0
}

// netStop stops a service, and with /y the services that depend on it.
func (sh *shell) netStop(name string, yes bool) int {
	h := sh.h
	h.mu.Lock()
	s := h.lookupService(name)
	switch {
	case s == nil:
		h.mu.Unlock()
		return sh.netError("The service name is invalid.", 2185)
	case s.state == stateStopped:
		h.mu.Unlock()
		return sh.netError(fmt.Sprintf("The %s service is not started.", s.display), 3521)
	case s.state != stateRunning:
		h.mu.Unlock()
		return sh.netError("The service is starting or stopping.  Please try again later.",
			2189)
	}
	deps := h.dependents(s)
	h.mu.Unlock()

	if len(deps) > 0 {
		lines := []string{
			fmt.Sprintf("The following services are dependent on the %s service.", s.display),
			fmt.Sprintf("Stopping the %s service will also stop these services.", s.display),
			"",
		}
		for _, d := range deps {
			lines = append(lines, "   "+d.display)
		}
		writeLines(sh.stdout, append(lines, "")...)
		if !yes {
			// Over WinRM net.exe has no console to read an answer from, so
			// it gives up at once (assumption; see doc.go).
			io.WriteString(sh.stdout, "Do you want to continue this operation? (Y/N) [N]: ")
			writeLines(sh.stdout, "", "No valid response was provided.", "")
			return exitNet
		}
		for _, d := range deps {
			if code := sh.stopOne(d); code != 0 {
				return code
			}
		}
	}
	return sh.stopOne(s)
}

// stopOne stops one running service and reports it as net does.
func (sh *shell) stopOne(s *service) int {
	h := sh.h
	h.mu.Lock()
	if s.state != stateRunning {
		// Someone else stopped it meanwhile.
		h.mu.Unlock()
		return 0
	}
	done := h.beginStop(s)
	h.unlock()

	if !sh.wait(fmt.Sprintf("The %s service is stopping.", s.display), done) {
		return 1
	}
	writeLines(sh.stdout, fmt.Sprintf("The %s service was stopped successfully.", s.display),
		"")
	return 0
}

// wait prints line, then a dot every netTick until done is closed, then
// CRLF. It returns false when the context ends first; the transition still
// completes on its own, as a real service's does when net is killed.
func (sh *shell) wait(line string, done <-chan struct{}) bool {
	io.WriteString(sh.stdout, line)
	tick := time.NewTicker(netTick)
	defer tick.Stop()
	for {
		select {
		case <-done:
			io.WriteString(sh.stdout, "\r\n")
			return true
		case <-sh.ctx.Done():
			io.WriteString(sh.stdout, "\r\n")
			return false
		case <-tick.C:
			io.WriteString(sh.stdout, ".")
		}
	}
}

// sc runs `sc query [service]`.
func (sh *shell) sc(args []string) int {
	if len(args) == 0 || !strings.EqualFold(args[0], "query") {
		writeLines(sh.stdout, "ERROR:  Unrecognized command", "",
			"DESCRIPTION:",
			"        SC is a command line program used for communicating with the",
			"        Service Control Manager and services.",
			"USAGE:",
			"        sc <server> [command] [service name] <option1> <option2>...", "")
		return 1
	}

	h := sh.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(args) == 1 {
		// Without a name sc lists the active services.
		var b strings.Builder
		for _, n := range h.order {
			if s := h.services[n]; s.state != stateStopped {
				b.WriteString(scBlock(s))
			}
		}
		io.WriteString(sh.stdout, b.String())
		return 0
	}

	var s *service
	for _, n := range h.order {
		if strings.EqualFold(n, args[1]) {
			s = h.services[n]
		}
	}
	if s == nil {
		writeLines(sh.stdout, "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:", "",
			"The specified service does not exist as an installed service.", "")
		return 1060
	}
	io.WriteString(sh.stdout, scBlock(s))
	return 0
}

// scBlock renders one service as `sc query` does, trailing spaces included.
func scBlock(s *service) string {
	typ := "10  WIN32_OWN_PROCESS  "
	if s.shared {
		typ = "20  WIN32_SHARE_PROCESS  "
	}
	controls := "(NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)"
	checkpoint, hint := "0x0", "0x0"
	switch s.state {
	case stateRunning:
		controls = "(STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)"
		if s.pausable {
			controls = "(STOPPABLE, PAUSABLE, ACCEPTS_SHUTDOWN)"
		}
	case stateStartPending, stateStopPending:
		checkpoint, hint = "0x1", "0x7d0"
	}

	lines := []string{
		"",
		"SERVICE_NAME: " + s.name,
		"        TYPE               : " + typ,
		fmt.Sprintf("        STATE              : %d  %s ", s.state, stateNames[s.state]),
		"                                " + controls,
		fmt.Sprintf("        WIN32_EXIT_CODE    : %d  (0x%x)", s.exitCode, s.exitCode),
		"        SERVICE_EXIT_CODE  : 0  (0x0)",
		"        CHECKPOINT         : " + checkpoint,
		"        WAIT_HINT          : " + hint,
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

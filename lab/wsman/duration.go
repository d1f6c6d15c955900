package wsman

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// defaultOperationTimeout applies when a request has no w:OperationTimeout.
// It is what Windows assumes (MaxTimeoutms defaults to 60000).
const defaultOperationTimeout = 60 * time.Second

// parseDuration parses the ISO 8601 durations WS-Management uses for
// w:OperationTimeout: PT60S, PT20S, PT60.000S, PT1M30S, P1DT2H. Years and
// months are refused: their length is not fixed.
func parseDuration(s string) (time.Duration, error) {
	rest, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(s)), "P")
	if !ok || rest == "" {
		return 0, fmt.Errorf("duration %q does not start with P", s)
	}

	var total time.Duration
	inTime := false
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, fmt.Errorf("duration %q has two T separators", s)
			}
			inTime = true
			rest = rest[1:]
			continue
		}

		// Read a decimal number, then its unit letter.
		n := strings.IndexFunc(rest, func(r rune) bool {
			return (r < '0' || r > '9') && r != '.' && r != ','
		})
		if n <= 0 {
			return 0, fmt.Errorf("duration %q has a unit without a number", s)
		}
		num, err := strconv.ParseFloat(strings.ReplaceAll(rest[:n], ",", "."), 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		unit, err := durationUnit(rest[n], inTime)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		total += time.Duration(num * float64(unit))
		rest = rest[n+1:]
	}
	return total, nil
}

// durationUnit is the length of one unit letter; inTime tells whether the
// letter comes after the T separator (M is minutes there, months before).
func durationUnit(c byte, inTime bool) (time.Duration, error) {
	switch {
	case c == 'W' && !inTime:
		return 7 * 24 * time.Hour, nil
	case c == 'D' && !inTime:
		return 24 * time.Hour, nil
	case c == 'H' && inTime:
		return time.Hour, nil
	case c == 'M' && inTime:
		return time.Minute, nil
	case c == 'S' && inTime:
		return time.Second, nil
	}
	return 0, fmt.Errorf("unit %q is not supported there", c)
}

// holdFor is how long a Receive may wait for output: the configured cap,
// but always a margin below the client's OperationTimeout so that the
// fault reaches the client before it gives up on its own.
func holdFor(maxHold time.Duration, operationTimeout string) time.Duration {
	opTimeout := defaultOperationTimeout
	if operationTimeout != "" {
		if d, err := parseDuration(operationTimeout); err == nil && d > 0 {
			opTimeout = d
		}
	}

	margin := 2 * time.Second
	if opTimeout < 8*time.Second {
		margin = opTimeout / 4
	}
	return min(maxHold, opTimeout-margin)
}

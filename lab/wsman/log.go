package wsman

import (
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// logEnv names the environment variable that turns maintainer logs on.
const logEnv = "SMTPVERBS_LOG"

// logger is the package's maintainer logger: silent unless SMTPVERBS_LOG is
// set (debug, info, warn or error; any other value means debug), and then
// writing text lines to stderr.
var logger = sync.OnceValue(func() *slog.Logger {
	level, ok := logLevel(os.Getenv(logEnv))
	if !ok {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
})

// logLevel maps the SMTPVERBS_LOG value to a level; ok is false when
// logging is off.
func logLevel(v string) (level slog.Level, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "off", "0", "false":
		return 0, false
	case "info":
		return slog.LevelInfo, true
	case "warn":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return slog.LevelDebug, true
}

// serverErrorLog is the http.Server ErrorLog: net/http's own messages (TLS
// handshake errors and the like) go to the maintainer log, or nowhere.
func serverErrorLog() *log.Logger {
	if _, ok := logLevel(os.Getenv(logEnv)); !ok {
		return log.New(io.Discard, "", 0)
	}
	return slog.NewLogLogger(logger().Handler(), slog.LevelWarn)
}

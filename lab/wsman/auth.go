package wsman

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
)

// connState is the NTLM state of one TCP connection. HTTP/1.1 serves the
// requests of a connection one after another, but the mutex keeps the race
// detector and future changes honest.
type connState struct {
	mu            sync.Mutex
	challenge     []byte // server challenge sent in the last type 2 message
	authenticated bool   // a type 3 message was verified on this connection
}

// connKey is the context key of a connection's *connState.
type connKey struct{}

// connContext gives every connection its own NTLM state; it is the
// http.Server ConnContext hook.
func connContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connState{})
}

// authenticate checks the request's credentials. When they are missing or
// wrong it answers 401 itself and reports false.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, cfg *Config) bool {
	scheme, data, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	cs, _ := r.Context().Value(connKey{}).(*connState)

	switch {
	case strings.EqualFold(scheme, "Basic") && cfg.Basic:
		user, pass, ok := r.BasicAuth()
		if ok && credentialsMatch(cfg, user, pass) {
			return true
		}
	case (strings.EqualFold(scheme, "Negotiate") || strings.EqualFold(scheme, "NTLM")) &&
		cfg.NTLM && cs != nil:
		return h.negotiate(w, cfg, cs, scheme, strings.TrimSpace(data))
	case scheme == "" && cfg.NTLM && cs != nil:
		// pywinrm and go-ntlmssp send later requests of an authenticated
		// connection without credentials.
		cs.mu.Lock()
		ok := cs.authenticated
		cs.mu.Unlock()
		if ok {
			return true
		}
	}

	h.unauthorized(w, cfg, "")
	return false
}

// negotiate runs one leg of the NTLM handshake on a connection.
func (h *Handler) negotiate(w http.ResponseWriter, cfg *Config, cs *connState,
	scheme, data string) bool {

	msg, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		h.unauthorized(w, cfg, "")
		return false
	}

	cs.mu.Lock()
	defer cs.mu.Unlock()

	switch ntlmType(msg) {
	case 1:
		// NEGOTIATE: answer with a fresh challenge, only that header.
		challenge, msg2 := newChallengeMessage(cfg.computer(), cfg.domain())
		cs.challenge = challenge
		cs.authenticated = false
		h.unauthorized(w, cfg, scheme+" "+base64.StdEncoding.EncodeToString(msg2))
		return false
	case 3:
		// AUTHENTICATE: a challenge is good for one answer only.
		challenge := cs.challenge
		cs.challenge = nil
		if challenge != nil && verifyAuthenticate(msg, challenge, cfg.Username, cfg.Password) {
			cs.authenticated = true
			return true
		}
	}
	cs.authenticated = false
	h.unauthorized(w, cfg, "")
	return false
}

// unauthorized answers 401 with an empty body and no SOAP Content-Type, as
// Windows does. challenge, when set, is the only WWW-Authenticate header
// (the second leg of NTLM); otherwise every enabled scheme is offered.
func (h *Handler) unauthorized(w http.ResponseWriter, cfg *Config, challenge string) {
	h.counts.unauthorized.Add(1)
	logger().Debug("wsman: unauthorized", "host", cfg.computer(),
		"ntlm_challenge", challenge != "")

	hdr := w.Header()
	switch {
	case challenge != "":
		hdr.Set("WWW-Authenticate", challenge)
	default:
		// Negotiate first, as Windows lists it: go-ntlmssp only parses the
		// first scheme it recognises.
		if cfg.NTLM {
			hdr.Add("WWW-Authenticate", "Negotiate")
		}
		if cfg.Basic {
			hdr.Add("WWW-Authenticate", `Basic realm="WSMAN"`)
		}
	}
	hdr.Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
}

// credentialsMatch compares a user name and password with the configured
// account in constant time. The user name matches case-insensitively
// without its domain part; an empty configured user name matches nobody.
func credentialsMatch(cfg *Config, user, password string) bool {
	if cfg.Username == "" {
		return false
	}
	return userMatches(cfg.Username, user)&
		equalHashed([]byte(cfg.Password), []byte(password)) == 1
}

// userMatches is 1 when the bare user names are equal ignoring case, else
// 0, in time independent of the names.
func userMatches(want, got string) int {
	return equalHashed(
		[]byte(strings.ToUpper(bareUser(want))),
		[]byte(strings.ToUpper(bareUser(got))))
}

// equalHashed is 1 when a and b are equal, else 0. Hashing first makes the
// time independent of the lengths too.
func equalHashed(a, b []byte) int {
	ha, hb := sha256.Sum256(a), sha256.Sum256(b)
	return subtle.ConstantTimeCompare(ha[:], hb[:])
}

// bareUser strips the domain from DOMAIN\user and user@domain.
func bareUser(name string) string {
	if i := strings.LastIndexByte(name, '\\'); i >= 0 {
		return name[i+1:]
	}
	if i := strings.IndexByte(name, '@'); i >= 0 {
		return name[:i]
	}
	return name
}

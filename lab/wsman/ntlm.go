package wsman

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4"
)

// NTLM (MS-NLMP) as WinRM uses it over HTTP: connection-oriented NTLMv2
// authentication without message sealing. Only what a server needs to
// verify a client is here.

// ntlmSignature starts every NTLM message.
var ntlmSignature = []byte("NTLMSSP\x00")

// Negotiate flags of the CHALLENGE message. KEY_EXCH and LM_KEY are left
// out on purpose: go-ntlmssp refuses both.
const (
	flagUnicode          = 0x00000001
	flagRequestTarget    = 0x00000004
	flagSign             = 0x00000010
	flagSeal             = 0x00000020
	flagNTLM             = 0x00000200
	flagAlwaysSign       = 0x00008000
	flagTargetTypeDomain = 0x00010000
	flagExtendedSecurity = 0x00080000
	flagTargetInfo       = 0x00800000
	flagVersion          = 0x02000000
	flag128              = 0x20000000
	flag56               = 0x80000000

	challengeFlags = flagUnicode | flagRequestTarget | flagSign | flagSeal | flagNTLM |
		flagAlwaysSign | flagTargetTypeDomain | flagExtendedSecurity | flagTargetInfo |
		flagVersion | flag128 | flag56
)

// AV pair ids of the target info.
const (
	avEOL          = 0
	avNbComputer   = 1
	avNbDomain     = 2
	avDNSComputer  = 3
	avDNSDomain    = 4
	avTimestamp    = 7
	challengeFixed = 56 // length of the fixed part of a CHALLENGE message
)

// windowsVersion is the Version field: Windows Server 2019 (10.0.17763),
// NTLM revision 15.
var windowsVersion = []byte{10, 0, 0x63, 0x45, 0, 0, 0, 15}

// ntlmType is the message type (1, 2 or 3) of an NTLM message, or 0 when
// msg is not one.
func ntlmType(msg []byte) uint32 {
	if len(msg) < 12 || !bytes.Equal(msg[:8], ntlmSignature) {
		return 0
	}
	return binary.LittleEndian.Uint32(msg[8:12])
}

// newChallengeMessage returns a fresh 8-byte server challenge and the
// CHALLENGE message carrying it.
func newChallengeMessage(computer, domain string) (challenge, msg []byte) {
	challenge = make([]byte, 8)
	_, _ = rand.Read(challenge)

	target := utf16le(domain)
	info := targetInfo(computer, domain, time.Now())

	msg = make([]byte, challengeFixed, challengeFixed+len(target)+len(info))
	copy(msg, ntlmSignature)
	binary.LittleEndian.PutUint32(msg[8:], 2)
	putField(msg[12:], len(target), challengeFixed)
	binary.LittleEndian.PutUint32(msg[20:], challengeFlags)
	copy(msg[24:32], challenge)
	putField(msg[40:], len(info), challengeFixed+len(target))
	copy(msg[48:56], windowsVersion)

	msg = append(msg, target...)
	msg = append(msg, info...)
	return challenge, msg
}

// targetInfo builds the AV pairs of a CHALLENGE message.
func targetInfo(computer, domain string, now time.Time) []byte {
	var b []byte
	pair := func(id uint16, value []byte) {
		b = binary.LittleEndian.AppendUint16(b, id)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(value)))
		b = append(b, value...)
	}

	pair(avNbDomain, utf16le(strings.ToUpper(domain)))
	pair(avNbComputer, utf16le(strings.ToUpper(computer)))
	pair(avDNSDomain, utf16le(strings.ToLower(domain)))
	pair(avDNSComputer, utf16le(strings.ToLower(computer)))
	pair(avTimestamp, binary.LittleEndian.AppendUint64(nil, fileTime(now)))
	pair(avEOL, nil)
	return b
}

// fileTime is t as a Windows FILETIME: 100-nanosecond intervals since 1601.
func fileTime(t time.Time) uint64 {
	const unixToWindows = 116444736000000000
	return uint64(t.UnixNano()/100) + unixToWindows
}

// putField writes an NTLM payload field descriptor: length, maximum length
// and offset.
func putField(b []byte, length, offset int) {
	binary.LittleEndian.PutUint16(b[0:], uint16(length))
	binary.LittleEndian.PutUint16(b[2:], uint16(length))
	binary.LittleEndian.PutUint32(b[4:], uint32(offset))
}

// field returns the payload a descriptor at offset at points to, or nil
// when it lies outside msg.
func field(msg []byte, at int) []byte {
	if len(msg) < at+8 {
		return nil
	}
	length := int(binary.LittleEndian.Uint16(msg[at:]))
	offset := int(binary.LittleEndian.Uint32(msg[at+4:]))
	if offset < 0 || offset+length > len(msg) {
		return nil
	}
	return msg[offset : offset+length]
}

// verifyAuthenticate checks an AUTHENTICATE (type 3) message against the
// server challenge and the account. The NTLMv2 proof is recomputed with
// the user and domain names exactly as the client sent them, because that
// is what the client hashed; then the bare user name must be the
// configured one. MIC and channel bindings are not checked.
func verifyAuthenticate(msg, challenge []byte, username, password string) bool {
	if ntlmType(msg) != 3 || username == "" {
		return false
	}
	nt := field(msg, 20)
	domain := field(msg, 28)
	user := field(msg, 36)

	// An NTLMv2 response is a 16-byte proof and a blob of at least 28
	// bytes; 24 bytes would be NTLMv1, which is refused.
	if len(nt) < 16+28 {
		return false
	}
	unicode := len(msg) >= 64 && binary.LittleEndian.Uint32(msg[60:])&flagUnicode != 0
	userName, domainName := decodeString(user, unicode), decodeString(domain, unicode)

	ntHash := md4.New()
	ntHash.Write(utf16le(password))
	key := hmacMD5(ntHash.Sum(nil), utf16le(strings.ToUpper(userName)+domainName))
	proof := hmacMD5(key, challenge, nt[16:])

	proofOK := hmac.Equal(proof, nt[:16])
	return userMatches(username, userName) == 1 && proofOK
}

// hmacMD5 is HMAC-MD5 of the concatenated data.
func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// utf16le encodes s as UTF-16 little endian, the NTLM string form.
func utf16le(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// decodeString decodes an NTLM string: UTF-16LE when unicode, else OEM
// bytes (taken as Latin-1).
func decodeString(b []byte, unicode bool) string {
	if !unicode {
		runes := make([]rune, len(b))
		for i, c := range b {
			runes[i] = rune(c)
		}
		return string(runes)
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units))
}

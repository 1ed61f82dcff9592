package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
)

func (s *Sandbox) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock().UTC()
	}
	return time.Now().UTC()
}

func (s *Sandbox) nextSeq() uint64 { s.seq++; return s.seq }

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ArchiveTimeFormat is the layout of archivedAt: ISO 8601, milliseconds, UTC.
const ArchiveTimeFormat = "2006-01-02T15:04:05.000Z"

// ArchiveFilename returns <sessionID>.jsonl.deleted.<t with ':' as '-'>.
func ArchiveFilename(sessionID string, t time.Time) string {
	return sessionID + ".jsonl.deleted." + strings.ReplaceAll(t.UTC().Format(ArchiveTimeFormat), ":", "-")
}

func sessionFilePath(agentID, sessionID string) string {
	return "/data/agents/" + agentID + "/sessions/" + sessionID + ".jsonl"
}

package sessions

import (
	"strings"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// SessionFilter selects active sessions, as the guayaba_sessions data source
// and the guayaba_session list resource filter them. A nil field selects
// everything; the fields combine with AND.
type SessionFilter struct {
	// KeyPrefix: the key starts with it.
	KeyPrefix *string
	// Label: exactly this label (a session without one never matches).
	Label *string
	// ChatType and LastChannel: exactly these.
	ChatType, LastChannel *string
	// UpdatedAfter and UpdatedBefore: last active strictly after, before.
	UpdatedAfter, UpdatedBefore *time.Time
}

// Match tells whether s passes every filter set.
func (f SessionFilter) Match(s client.Session) bool {
	updated := time.UnixMilli(s.UpdatedAt)
	return (f.KeyPrefix == nil || strings.HasPrefix(s.Key, *f.KeyPrefix)) &&
		(f.Label == nil || (s.Label != nil && *s.Label == *f.Label)) &&
		(f.ChatType == nil || s.ChatType == *f.ChatType) &&
		(f.LastChannel == nil || s.LastChannel == *f.LastChannel) &&
		(f.UpdatedAfter == nil || updated.After(*f.UpdatedAfter)) &&
		(f.UpdatedBefore == nil || updated.Before(*f.UpdatedBefore))
}

// ArchiveFilter selects archives, as the guayaba_archives data source
// filters them. A nil field selects everything; the fields combine with AND.
type ArchiveFilter struct {
	// SessionID and Label: exactly these (an archive without a label never
	// matches a Label).
	SessionID, Label *string
	// ArchivedAfter and ArchivedBefore: archived strictly after, before. An
	// archivedAt that does not parse passes no time filter.
	ArchivedAfter, ArchivedBefore *time.Time
}

// Match tells whether a passes every filter set.
func (f ArchiveFilter) Match(a client.Archive) bool {
	if (f.SessionID != nil && a.SessionID != *f.SessionID) || (f.Label != nil && (a.Label == nil || *a.Label != *f.Label)) {
		return false
	}
	if f.ArchivedAfter == nil && f.ArchivedBefore == nil {
		return true
	}
	t, ok := ParseTime(a.ArchivedAt)
	return ok && (f.ArchivedAfter == nil || t.After(*f.ArchivedAfter)) && (f.ArchivedBefore == nil || t.Before(*f.ArchivedBefore))
}

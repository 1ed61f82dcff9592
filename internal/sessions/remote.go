package sessions

import (
	"sort"
	"time"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

// Remote is where a managed session is on the platform: active (in the
// sessions listing) or archived (in the archives listing).
type Remote struct {
	Active  *client.Session
	Archive *client.Archive
	// LastActive is the session as last seen active during a change that
	// ended archived: archives carry no chat type or channel.
	LastActive *client.Session
}

// Archived tells whether the session is archived.
func (r Remote) Archived() bool { return r.Archive != nil }

// SessionID is the session's UUID, active or archived.
func (r Remote) SessionID() string {
	if r.Active != nil {
		return r.Active.SessionID
	}
	if r.Archive != nil {
		return r.Archive.SessionID
	}
	return ""
}

// Label is the session's label, active or archived.
func (r Remote) Label() *string {
	if r.Active != nil {
		return r.Active.Label
	}
	if r.Archive != nil {
		return r.Archive.Label
	}
	return nil
}

// FindArchive returns the archive with the filename, else the newest archive
// of the session id. archives must be sorted oldest first.
func FindArchive(archives []client.Archive, filename, sessionID string) (client.Archive, bool) {
	if filename != "" {
		for _, a := range archives {
			if a.Filename == filename {
				return a, true
			}
		}
	}
	if sessionID != "" {
		for i := len(archives) - 1; i >= 0; i-- {
			if archives[i].SessionID == sessionID {
				return archives[i], true
			}
		}
	}
	return client.Archive{}, false
}

// SortArchives orders archives by archivedAt, then filename: a stable order
// for data sources, and "newest last" for lookups by session id.
func SortArchives(list []client.Archive) {
	sort.SliceStable(list, func(i, j int) bool {
		ti, tj := archiveTime(list[i].ArchivedAt), archiveTime(list[j].ArchivedAt)
		if ti != tj {
			return ti < tj
		}
		return list[i].Filename < list[j].Filename
	})
}

// archiveTime parses an archive's archivedAt; the zero value sorts first.
func archiveTime(s string) int64 {
	t, ok := ParseTime(s)
	if !ok {
		return 0
	}
	return t.UnixNano()
}

// ParseTime parses a time as the platform sends it (archivedAt): RFC 3339,
// with or without fractional seconds or a zone.
func ParseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// SameLabel tells whether two labels (nil: no label) are equal.
func SameLabel(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

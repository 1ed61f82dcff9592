package sessions

import "errors"

// ErrNotConfirmed matches a write that the platform accepted but that the
// listing afterwards does not show.
var ErrNotConfirmed = errors.New("change not confirmed by the listing")

// ErrKeyHeld matches a restore refused before any request because another
// active session (a new conversation) holds the archive's key: an archive is
// only ever restored under its own key, so applying again cannot help.
var ErrKeyHeld = errors.New("key held by another conversation")

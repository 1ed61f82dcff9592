package sessions

import (
	"errors"
	"fmt"
)

// The errors of this package, each a typed outcome the provider explains
// (internal/provider/diagnostics.go). API errors come through as the
// client's (*client.APIError, *client.TransportError, ...).

// ErrNotConfirmed matches a write that the platform accepted but that the
// listing afterwards does not show (a *NotConfirmedError).
var ErrNotConfirmed = errors.New("change not confirmed by the listing")

// NotConfirmedError is a write that the platform accepted (a 2xx) but that
// no listing started after it shows.
type NotConfirmedError struct {
	// Change names the write, e.g. "the archive request".
	Change string
	// Instead says what the listing shows, e.g. `session "k" is still active`.
	Instead string
}

func (e *NotConfirmedError) Error() string {
	return fmt.Sprintf("%s: the platform accepted %s, but %s", ErrNotConfirmed, e.Change, e.Instead)
}

// Is matches ErrNotConfirmed.
func (e *NotConfirmedError) Is(target error) bool { return target == ErrNotConfirmed }

// ErrKeyHeld matches a restore refused before any request because another
// active session (a new conversation) holds the archive's key: an archive is
// only ever restored under its own key, so applying again cannot help.
var ErrKeyHeld = errors.New("key held by another conversation")

// StepError is a write of Converge that failed.
type StepError struct {
	// What names the step for the user, e.g. `archive session "k"`.
	What string
	// Err is the cause: an API error, a *LabelHeldError, or a write the
	// listing did not confirm.
	Err error
	// Holder is the key of the other active session that holds the wanted
	// label when the label is in use and the listing shows who; else "".
	Holder string
}

func (e *StepError) Error() string { return "cannot " + e.What + ": " + e.Err.Error() }

func (e *StepError) Unwrap() error { return e.Err }

// LabelHeldError is a rename that cannot complete in this apply: another
// active session holds the wanted label and is not giving it up.
type LabelHeldError struct {
	Label  string
	Holder string
	// Keeps is true when the holder's own change in this apply keeps the
	// label (or is over); false when the holder was not seen changing
	// before the apply stopped making progress.
	Keeps bool
	// Released is the label the session gave up while it waited, if any:
	// it now has no label.
	Released *string
}

func (e *LabelHeldError) Error() string {
	why := "which this apply has not changed"
	if e.Keeps {
		why = "which keeps it in this apply"
	}
	msg := fmt.Sprintf("the label %q is held by the session with key %q, %s", e.Label, e.Holder, why)
	if e.Released != nil {
		msg += fmt.Sprintf("; this session gave up its label %q meanwhile and has no label now", *e.Released)
	}
	return msg
}

// LabelMismatchError is DeleteIfActive refusing a session whose label is
// not the expected one.
type LabelMismatchError struct {
	Key           string
	Label         *string
	ExpectedLabel string
}

func (e *LabelMismatchError) Error() string {
	got := "no label"
	if e.Label != nil {
		got = fmt.Sprintf("the label %q", *e.Label)
	}
	return fmt.Sprintf("session %q has %s, not the expected label %q, so it was not deleted", e.Key, got, e.ExpectedLabel)
}

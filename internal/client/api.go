package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
)

// Client API surface: one method per endpoint. Success bodies of the POST
// actions are never interpreted (empty, {} or {"success":true,...} are all
// fine, and a body that stalls after a 2xx status does not fail the call);
// confirm a change by listing.

func agentPath(agentID, rest string) string {
	return "/agents/" + url.PathEscape(agentID) + rest
}

// Per-element reads. EachSession, EachArchive and EachMessage call each
// with every element of the answer, in order, as it is decoded, so that a
// caller keeps only what it selects; the slice-returning methods are built
// on them. index is the element's 0-based position. An attempt whose
// connection fails while its answer streams in is retried, and the retry
// starts the list over: index is 0 again, and what each kept of the failed
// attempt must be dropped (index 0 comes only at the start of an attempt).
// Elements count only when the call returns nil: an answer found malformed
// or past a bound after some elements fails the whole call. An error each
// returns stops the call and is returned as it is, unretried.

// ListSessions lists an agent's active sessions (GET /agents/{id}/sessions).
func (c *Client) ListSessions(ctx context.Context, agentID string) ([]Session, error) {
	return collect(func(each func(int, Session) error) error { return c.EachSession(ctx, agentID, each) })
}

// EachSession lists an agent's active sessions (GET /agents/{id}/sessions),
// calling each with every session.
func (c *Client) EachSession(ctx context.Context, agentID string, each func(index int, s Session) error) error {
	return c.do(ctx, call{
		op: "list sessions", method: http.MethodGet, path: agentPath(agentID, "/sessions"),
		maxBytes: MaxAnswerBytes, decode: func(r io.Reader) error { return decodeSessions(r, each) },
	})
}

// History returns the last limit messages of a session, oldest first
// (POST /agents/{id}/sessions/history). A limit <= 0 omits the field and
// lets the server choose. Response bodies are never logged.
func (c *Client) History(ctx context.Context, agentID, key string, limit int) ([]ChatMessage, error) {
	return collect(func(each func(int, ChatMessage) error) error { return c.EachMessage(ctx, agentID, key, limit, each) })
}

// EachMessage reads a session's history like History, calling each with
// every message, oldest first.
func (c *Client) EachMessage(ctx context.Context, agentID, key string, limit int, each func(index int, m ChatMessage) error) error {
	req := struct {
		SessionKey string `json:"sessionKey"`
		Limit      int    `json:"limit,omitempty"`
	}{key, limit}
	return c.do(ctx, call{
		op: "read session history", method: http.MethodPost,
		path: agentPath(agentID, "/sessions/history"), body: req, sensitiveResponse: true,
		maxBytes: MaxAnswerBytes, decode: func(r io.Reader) error { return decodeMessages(r, each) },
	})
}

// collect runs a per-element read and returns its elements; never nil
// without an error.
func collect[T any](read func(each func(int, T) error) error) ([]T, error) {
	var out []T
	err := read(func(i int, v T) error {
		if i == 0 {
			out = nil // a retried attempt starts over
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}

// Rename sets a session's label; nil sends "label": null, clearing it
// (POST /agents/{id}/sessions/rename).
func (c *Client) Rename(ctx context.Context, agentID, key string, label *string) error {
	req := struct {
		Key   string  `json:"key"`
		Label *string `json:"label"`
	}{key, label}
	return c.do(ctx, call{op: "rename session", method: http.MethodPost, path: agentPath(agentID, "/sessions/rename"), body: req})
}

// Archive archives a session (POST /agents/{id}/sessions/archive).
func (c *Client) Archive(ctx context.Context, agentID, key string) error {
	req := struct {
		Key string `json:"key"`
	}{key}
	return c.do(ctx, call{op: "archive session", method: http.MethodPost, path: agentPath(agentID, "/sessions/archive"), body: req})
}

// Delete permanently deletes a session and its transcript
// (POST /agents/{id}/sessions/delete).
func (c *Client) Delete(ctx context.Context, agentID, key string) error {
	req := struct {
		Key string `json:"key"`
	}{key}
	return c.do(ctx, call{op: "delete session", method: http.MethodPost, path: agentPath(agentID, "/sessions/delete"), body: req})
}

// ListArchives lists an agent's archived sessions (GET /agents/{id}/archives).
func (c *Client) ListArchives(ctx context.Context, agentID string) ([]Archive, error) {
	return collect(func(each func(int, Archive) error) error { return c.EachArchive(ctx, agentID, each) })
}

// EachArchive lists an agent's archived sessions (GET /agents/{id}/archives),
// calling each with every archive.
func (c *Client) EachArchive(ctx context.Context, agentID string, each func(index int, a Archive) error) error {
	return c.do(ctx, call{
		op: "list archives", method: http.MethodGet, path: agentPath(agentID, "/archives"),
		maxBytes: MaxAnswerBytes, decode: func(r io.Reader) error { return decodeArchives(r, each) },
	})
}

// Restore brings an archived session back (POST /agents/{id}/archives/restore).
// A nil label omits the field, keeping the archive's label; a non-nil label
// replaces it.
func (c *Client) Restore(ctx context.Context, agentID, filename string, label *string) error {
	req := struct {
		Filename string  `json:"filename"`
		Label    *string `json:"label,omitempty"`
	}{filename, label}
	return c.do(ctx, call{op: "restore archive", method: http.MethodPost, path: agentPath(agentID, "/archives/restore"), body: req})
}

// DeleteArchive permanently deletes an archive (POST /agents/{id}/archives/delete).
func (c *Client) DeleteArchive(ctx context.Context, agentID, filename string) error {
	req := struct {
		Filename string `json:"filename"`
	}{filename}
	return c.do(ctx, call{op: "delete archive", method: http.MethodPost, path: agentPath(agentID, "/archives/delete"), body: req})
}

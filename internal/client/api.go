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

// ListSessions lists an agent's active sessions (GET /agents/{id}/sessions).
func (c *Client) ListSessions(ctx context.Context, agentID string) ([]Session, error) {
	var out []Session
	err := c.do(ctx, call{
		op: "list sessions", method: http.MethodGet, path: agentPath(agentID, "/sessions"),
		maxBytes: MaxListingBytes, decode: func(r io.Reader) (err error) { out, err = decodeSessions(r); return err },
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// History returns the last limit messages of a session, oldest first
// (POST /agents/{id}/sessions/history). A limit <= 0 omits the field and
// lets the server choose. Response bodies are never logged.
func (c *Client) History(ctx context.Context, agentID, key string, limit int) ([]ChatMessage, error) {
	req := struct {
		SessionKey string `json:"sessionKey"`
		Limit      int    `json:"limit,omitempty"`
	}{key, limit}
	var out []ChatMessage
	err := c.do(ctx, call{
		op: "read session history", method: http.MethodPost,
		path: agentPath(agentID, "/sessions/history"), body: req, sensitiveResponse: true,
		maxBytes: MaxHistoryBytes, decode: func(r io.Reader) (err error) { out, err = decodeMessages(r); return err },
	})
	if err != nil {
		return nil, err
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
	var out []Archive
	err := c.do(ctx, call{
		op: "list archives", method: http.MethodGet, path: agentPath(agentID, "/archives"),
		maxBytes: MaxListingBytes, decode: func(r io.Reader) (err error) { out, err = decodeArchives(r); return err },
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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

package client

import (
	"context"
	"net/http"
	"net/url"
)

// Client API surface: one method per endpoint. Success bodies of the POST
// actions are never interpreted (empty, {} or {"success":true,...} are all
// fine); confirm a change by listing.

func agentPath(agentID, rest string) string {
	return "/agents/" + url.PathEscape(agentID) + rest
}

// ListSessions lists an agent's active sessions (GET /agents/{id}/sessions).
func (c *Client) ListSessions(ctx context.Context, agentID string) ([]Session, error) {
	cl := call{op: "list sessions", method: http.MethodGet, path: agentPath(agentID, "/sessions")}
	body, status, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	var out []Session
	if err := decodeList(cl, status, body, &out); err != nil {
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
	cl := call{
		op: "read session history", method: http.MethodPost,
		path: agentPath(agentID, "/sessions/history"), body: req, sensitiveResponse: true,
	}
	body, status, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	var out []ChatMessage
	if err := decodeList(cl, status, body, &out); err != nil {
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
	_, _, err := c.do(ctx, call{op: "rename session", method: http.MethodPost, path: agentPath(agentID, "/sessions/rename"), body: req})
	return err
}

// Archive archives a session (POST /agents/{id}/sessions/archive).
func (c *Client) Archive(ctx context.Context, agentID, key string) error {
	req := struct {
		Key string `json:"key"`
	}{key}
	_, _, err := c.do(ctx, call{op: "archive session", method: http.MethodPost, path: agentPath(agentID, "/sessions/archive"), body: req})
	return err
}

// Delete permanently deletes a session and its transcript
// (POST /agents/{id}/sessions/delete).
func (c *Client) Delete(ctx context.Context, agentID, key string) error {
	req := struct {
		Key string `json:"key"`
	}{key}
	_, _, err := c.do(ctx, call{op: "delete session", method: http.MethodPost, path: agentPath(agentID, "/sessions/delete"), body: req})
	return err
}

// ListArchives lists an agent's archived sessions (GET /agents/{id}/archives).
func (c *Client) ListArchives(ctx context.Context, agentID string) ([]Archive, error) {
	cl := call{op: "list archives", method: http.MethodGet, path: agentPath(agentID, "/archives")}
	body, status, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	var out []Archive
	if err := decodeList(cl, status, body, &out); err != nil {
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
	_, _, err := c.do(ctx, call{op: "restore archive", method: http.MethodPost, path: agentPath(agentID, "/archives/restore"), body: req})
	return err
}

// DeleteArchive permanently deletes an archive (POST /agents/{id}/archives/delete).
func (c *Client) DeleteArchive(ctx context.Context, agentID, filename string) error {
	req := struct {
		Filename string `json:"filename"`
	}{filename}
	_, _, err := c.do(ctx, call{op: "delete archive", method: http.MethodPost, path: agentPath(agentID, "/archives/delete"), body: req})
	return err
}

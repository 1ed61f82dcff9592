package client

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// LogSubsystem is the terraform-plugin-log subsystem the client logs to. Its
// level follows TF_LOG_PROVIDER, or TF_LOG_PROVIDER_GUAYABA_CLIENT when set.
const LogSubsystem = "guayaba_client"

// keyPattern matches Guayaba API keys wherever they might appear.
var keyPattern = regexp.MustCompile(`g_(master|agent)_[0-9a-fA-F]{48}`)

// sensitiveFields are field keys whose values are always masked.
var sensitiveFields = []string{"Authorization", "authorization", "api_key", "apiKey", "token"}

type loggingKey struct{}

// WithLogging returns ctx with the client's logging subsystem set up: the
// subsystem logger (with the root logger's fields such as tf_req_id) and
// masks for the Authorization header, this client's key and anything
// shaped like a Guayaba key. Every client method calls it on its context, so
// calling it beforehand is optional. With a plain context (no provider root
// logger, as in unit tests) logging is a no-op.
func (c *Client) WithLogging(ctx context.Context) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if k, _ := ctx.Value(loggingKey{}).(*Client); k == c {
		return ctx
	}
	ctx = tflog.NewSubsystem(ctx, LogSubsystem,
		tflog.WithLevelFromEnv("TF_LOG_PROVIDER", "GUAYABA_CLIENT"),
		tflog.WithRootFields(),
	)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, LogSubsystem, sensitiveFields...)
	ctx = tflog.SubsystemMaskLogRegexes(ctx, LogSubsystem, keyPattern)
	if secrets := c.secretStrings(); len(secrets) > 0 {
		ctx = tflog.SubsystemMaskLogStrings(ctx, LogSubsystem, secrets...)
	}
	return context.WithValue(ctx, loggingKey{}, c)
}

func (c *Client) logContext(ctx context.Context) context.Context {
	return c.WithLogging(ctx)
}

// logAttempt logs one attempt at DEBUG: method, path, status, attempt and
// duration. Headers are never logged.
func logAttempt(ctx context.Context, op, method, path string, attempt, status int, dur time.Duration, resp *http.Response, err error) {
	fields := map[string]any{
		"op":          op,
		"http_method": method,
		"http_path":   path,
		"attempt":     attempt,
		"duration_ms": dur.Milliseconds(),
	}
	if err != nil {
		fields["error"] = err.Error()
		tflog.SubsystemDebug(ctx, LogSubsystem, "Guayaba API attempt failed without a response", fields)
		return
	}
	fields["http_status"] = status
	if resp != nil {
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			fields["retry_after"] = ra
		}
		if rem := resp.Header.Get("X-RateLimit-Remaining"); rem != "" {
			fields["ratelimit_remaining"] = rem
		}
	}
	tflog.SubsystemDebug(ctx, LogSubsystem, "Guayaba API attempt", fields)
}

// logBody logs a request or response body at TRACE, truncated and
// scrubbed like an error (the subsystem's masks only know the key as
// sent). Callers skip history responses, which hold users' transcripts.
func (c *Client) logBody(ctx context.Context, msg string, cl call, body []byte) {
	if !tflog.SubsystemIsTrace(ctx, LogSubsystem) {
		return
	}
	tflog.SubsystemTrace(ctx, LogSubsystem, "Guayaba API "+msg, map[string]any{
		"op":          cl.op,
		"http_method": cl.method,
		"http_path":   cl.path,
		"body":        c.scrub.text(truncate(string(body), 1024)),
	})
}

// logFailure logs the final error of a call at DEBUG.
func logFailure(ctx context.Context, err error) {
	tflog.SubsystemDebug(ctx, LogSubsystem, "Guayaba API call failed", map[string]any{"error": err.Error()})
}

// secretStrings returns the strings to mask: the key and, for a key with a
// Guayaba prefix, its random tail on its own. Very short keys are not masked
// as strings (they would blank out ordinary words); the key pattern still is.
func (c *Client) secretStrings() []string {
	var out []string
	if len(c.apiKey) >= 8 {
		out = append(out, c.apiKey)
	}
	for _, p := range []string{"g_master_", "g_agent_"} {
		if tail, ok := strings.CutPrefix(c.apiKey, p); ok && len(tail) >= 8 {
			out = append(out, tail)
		}
	}
	return out
}

package provider

import (
	"bytes"
	"encoding/json"
	"time"

	fwattr "github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// rfc3339FromMillis renders Unix milliseconds as RFC 3339 in UTC, keeping
// milliseconds only when there are any.
func rfc3339FromMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
}

// archivedAtRFC3339 renders archivedAt as RFC 3339 (UTC) when parseable, else as sent.
func archivedAtRFC3339(s string) string {
	if t, ok := sessions.ParseTime(s); ok {
		return t.Format(time.RFC3339Nano)
	}
	return s
}

func stringPtrValue(p *string) types.String {
	if p == nil {
		return types.StringNull()
	}
	return types.StringValue(*p)
}

func stringPtr(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

// compactJSON renders raw JSON compactly; empty input gives "null".
func compactJSON(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "null"
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// knownLabels returns the map's entries, or false when the map or an entry
// is unknown (or null).
func knownLabels(m types.Map) (map[string]string, bool) {
	if m.IsNull() || m.IsUnknown() {
		return nil, false
	}
	out := make(map[string]string, len(m.Elements()))
	for k, v := range m.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() {
			return nil, false
		}
		out[k] = s.ValueString()
	}
	return out, true
}

func stringMapValue(m map[string]string) types.Map {
	elems := make(map[string]fwattr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func stringListValue(s []string) types.List {
	elems := make([]fwattr.Value, len(s))
	for i, v := range s {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

package sandbox

import (
	"fmt"
	"strings"
)

// field is one name=value of a spec such as "agents=1,sessions=1000".
type field struct{ name, value string }

// splitSpec splits a spec into its name=value fields, separated by commas,
// white space around each trimmed and empty fields skipped. what names the
// spec in errors ("generate").
func splitSpec(what, spec string) ([]field, error) {
	var out []field
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%s: %q is not name=value", what, part)
		}
		out = append(out, field{strings.TrimSpace(name), strings.TrimSpace(val)})
	}
	return out, nil
}

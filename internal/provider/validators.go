package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/client"
)

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isUUID(s string) bool { return uuidRE.MatchString(s) }

// notAUUID is the one message for an agent id that is not a UUID; from
// names where the value came from, when not from the attribute itself.
func notAUUID(value, from string) string {
	if from != "" {
		from = " (from " + from + ")"
	}
	return fmt.Sprintf("%q%s is not a UUID. Agent ids look like 3f1c9b7a-5d2e-4c1b-9a8f-2b7e6d5c4a3b; copy it from the dashboard.",
		value, from)
}

func parsePositiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive Go duration; use a value such as \"30s\", \"1m30s\" or \"500ms\"", s)
	}
	return d, nil
}

// maxLabelLength is the platform's limit, in characters.
const maxLabelLength = 255

// isTrimmedByPlatform tells the characters the platform strips from both
// ends of a label: the platform is a Laravel application, whose string
// trimming removes Unicode white space and also the zero-width space
// (U+200B), the zero-width no-break space or byte order mark (U+FEFF) and
// the left-to-right mark (U+200E), which Go's strings.TrimSpace keeps.
func isTrimmedByPlatform(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF' || r == '\u200E'
}

// platformTrim trims a label as the platform does.
func platformTrim(s string) string { return strings.TrimFunc(s, isTrimmedByPlatform) }

// describeTrimmed names the characters platformTrim removes from s, e.g.
// "U+200B (zero-width space) at the start".
func describeTrimmed(s string) string {
	name := func(r rune) string {
		switch r {
		case '\u200B':
			return "U+200B (zero-width space)"
		case '\uFEFF':
			return "U+FEFF (zero-width no-break space)"
		case '\u200E':
			return "U+200E (left-to-right mark)"
		case ' ':
			return "a space"
		}
		return fmt.Sprintf("U+%04X (white space)", r)
	}
	var parts []string
	if r, _ := utf8.DecodeRuneInString(s); isTrimmedByPlatform(r) {
		parts = append(parts, name(r)+" at the start")
	}
	if r, _ := utf8.DecodeLastRuneInString(s); isTrimmedByPlatform(r) && platformTrim(s) != "" {
		parts = append(parts, name(r)+" at the end")
	}
	return strings.Join(parts, " and ")
}

// checkLabel returns what is wrong with a wanted label, or "".
func checkLabel(label string) string {
	switch {
	case label == "":
		return "The label is empty. To have no label, leave `label` out (or set it to null)."
	case platformTrim(label) == "":
		return fmt.Sprintf("The label %q is only white space or invisible characters, which the platform trims away, "+
			"leaving no label. To have no label, leave `label` out (or set it to null).", label)
	case platformTrim(label) != label:
		return fmt.Sprintf("The label %q has %s. The platform trims white space and the invisible characters U+200B, "+
			"U+FEFF and U+200E from both ends of a label, so the stored label would never match this one. Remove them: %q.",
			label, describeTrimmed(label), platformTrim(label))
	case utf8.RuneCountInString(label) > maxLabelLength:
		return fmt.Sprintf("The label is %d characters long; the platform accepts at most %d.",
			utf8.RuneCountInString(label), maxLabelLength)
	}
	return ""
}

// baseURLProblem says what is wrong with a base_url the client refuses,
// and what to write instead, or "".
func baseURLProblem(raw string) string {
	err := client.ValidateBaseURL(raw)
	var be *client.BaseURLError
	switch {
	case err == nil:
		return ""
	case !errors.As(err, &be):
		return err.Error()
	}
	root := "; use the API root, such as " + client.DefaultBaseURL
	u := fmt.Sprintf("base_url %q", be.URL)
	switch be.Problem {
	case client.BaseURLEmpty:
		return "base_url is empty" + root
	case client.BaseURLInvalid:
		return u + " is not a valid URL: " + be.Detail + root
	case client.BaseURLNotAbsolute:
		return u + " is not an absolute URL" + root
	case client.BaseURLCredentials:
		return u + " must not contain credentials; give the key as api_key"
	case client.BaseURLQuery:
		return u + " must not have a query or fragment" + root
	case client.BaseURLNoHost:
		return u + " has no host"
	case client.BaseURLPort:
		return fmt.Sprintf("%s has an invalid port %q", u, be.Detail)
	case client.BaseURLInsecure:
		return u + " uses http://, which would send the API key unencrypted; use https:// (http:// is accepted only " +
			"for a loopback IP address such as 127.0.0.1 or ::1, or the name localhost)"
	}
	return fmt.Sprintf("%s has scheme %q; use https:// (or http:// for a loopback host)", u, be.Detail)
}

// errorText turns a function that returns an error into a "what is wrong"
// function for stringCheck: the error's text, or "".
func errorText(f func(string) error) func(string) string {
	return func(s string) string {
		if err := f(s); err != nil {
			return err.Error()
		}
		return ""
	}
}

// stringCheck adapts a "what is wrong" function to a plan-time validator.
type stringCheck struct {
	summary     string
	description string
	check       func(string) string
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := v.check(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, msg)
	}
}

var (
	labelValidator = stringCheck{
		summary:     "Invalid label",
		description: "at most 255 characters, not empty, no white space or invisible characters (U+200B, U+FEFF, U+200E) at either end",
		check:       checkLabel,
	}
	keyValidator = stringCheck{
		summary:     "Invalid session key",
		description: "a non-empty session key without surrounding white space",
		check: func(s string) string {
			if strings.TrimSpace(s) == "" {
				return "The session key is empty. Use the key shown by the guayaba_sessions data source, e.g. agent:main:telegram:direct:123456789."
			}
			if strings.TrimSpace(s) != s {
				return fmt.Sprintf("The session key %q has white space at its start or end; session keys never do.", s)
			}
			return ""
		},
	}
	uuidValidator = stringCheck{
		summary:     "Invalid agent_id",
		description: "a UUID",
		check: func(s string) string {
			if isUUID(s) {
				return ""
			}
			return notAUUID(s, "")
		},
	}
	baseURLValidator = stringCheck{
		summary:     "Invalid base_url",
		description: "an https:// URL, or http:// on a loopback host",
		check:       baseURLProblem,
	}
	durationValidator = stringCheck{
		summary:     "Invalid request_timeout",
		description: "a positive Go duration",
		check: errorText(func(s string) error {
			_, err := parsePositiveDuration(s)
			return err
		}),
	}
	rfc3339Validator = stringCheck{
		summary:     "Invalid timestamp",
		description: "an RFC 3339 timestamp such as 2026-11-28T17:00:00Z",
		check: func(s string) string {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return fmt.Sprintf("%q is not an RFC 3339 timestamp. Use a value such as \"2026-11-28T17:00:00Z\" "+
					"(timestamp() and timeadd() produce this form).", s)
			}
			return ""
		},
	}
)

func stringValidators(v ...validator.String) []validator.String { return v }

// labelEntriesValidator checks every entry of labels with the validators of
// guayaba_session (key and label), names the entry in each error, and
// refuses a label wanted by two keys.
type labelEntriesValidator struct{}

func (labelEntriesValidator) Description(context.Context) string {
	return "session keys to labels; each label valid as guayaba_session.label and unique in the map"
}

func (v labelEntriesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (labelEntriesValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	keys := make([]string, 0, len(elems))
	for k := range elems {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	firstWith := map[string]string{}
	for _, k := range keys {
		keyMsg := keyValidator.check(k)
		s, ok := elems[k].(types.String)
		known := ok && !s.IsUnknown()
		missing := known && s.IsNull()
		labelMsg, first, dup := "", "", false
		if known && !missing {
			labelMsg = labelValidator.check(s.ValueString())
			if first, dup = firstWith[s.ValueString()]; !dup {
				firstWith[s.ValueString()] = k
			}
		}
		if keyMsg == "" && !missing && labelMsg == "" && !dup {
			continue
		}
		// The entry's path and name are built only for an error: built for
		// each of 10,000 entries, they showed in a plan's profile.
		p, entry := req.Path.AtMapKey(k), fmt.Sprintf("labels[%q]", k)
		if keyMsg != "" {
			resp.Diagnostics.AddAttributeError(p, keyValidator.summary+" in "+entry, keyMsg)
		}
		if missing {
			resp.Diagnostics.AddAttributeError(p, "Missing label in "+entry,
				entry+" is null. Give the session a label, or remove the entry (use on_destroy = \"clear\" to clear the "+
					"labels of removed entries).")
			continue
		}
		if labelMsg != "" {
			resp.Diagnostics.AddAttributeError(p, labelValidator.summary+" in "+entry, entry+": "+labelMsg)
		}
		if dup {
			resp.Diagnostics.AddAttributeError(p, "Duplicate label in "+entry,
				fmt.Sprintf("labels[%q] and labels[%q] both want the label %q, but labels are unique among an agent's "+
					"active sessions. Give each session its own label.", first, k, s.ValueString()))
		}
	}
}

package provider

import (
	"strings"
	"testing"
)

// The platform (Laravel) trims Unicode white space and U+200B, U+FEFF and
// U+200E from both ends of a label; a label it would change is refused.
func TestCheckLabel_platformTrimming(t *testing.T) {
	cases := map[string]string{
		"Support":                         "",
		"Soporte técnico ☕ — 日本":          "",
		"inner\u200bzero width is kept":   "",
		"a\u00a0b":                        "",
		"\u200bSupport":                   "U+200B (zero-width space) at the start",
		"Support\ufeff":                   "U+FEFF (zero-width no-break space) at the end",
		"\u200eSupport\u200e":             "U+200E (left-to-right mark) at the start and U+200E (left-to-right mark) at the end",
		" Support":                        "a space at the start",
		"Support\u00a0":                   "U+00A0 (white space) at the end",
		"\u200b":                          "only white space or invisible characters",
		"\u200b \ufeff":                   "only white space or invisible characters",
		"":                                "The label is empty",
		strings.Repeat("é", 256):          "256 characters long",
		"\u200b" + strings.Repeat("é", 5): `Remove them: "ééééé"`,
	}
	for label, want := range cases {
		got := checkLabel(label)
		switch {
		case want == "" && got != "":
			t.Errorf("checkLabel(%q) = %q, want it accepted", label, got)
		case want != "" && !strings.Contains(got, want):
			t.Errorf("checkLabel(%q) = %q, want it to say %q", label, got, want)
		}
		if want == "" && platformTrim(label) != label {
			t.Errorf("accepted label %q is changed by the platform's trimming", label)
		}
	}
}

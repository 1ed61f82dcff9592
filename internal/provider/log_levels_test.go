package provider

import "testing"

// The framework's logs are quieted to what Terraform would show, never
// below it, and never against an explicit setting.
func TestFrameworkLogLevel(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "OFF"},
		{map[string]string{"TF_LOG": "off"}, "OFF"},
		{map[string]string{"TF_LOG": "debug"}, "DEBUG"},
		{map[string]string{"TF_LOG": "trace"}, ""},
		{map[string]string{"TF_LOG": "JSON"}, ""},
		{map[string]string{"TF_LOG_PROVIDER": "INFO"}, "INFO"},
		{map[string]string{"TF_LOG": "WARN", "TF_LOG_PROVIDER": "DEBUG"}, "DEBUG"},
		{map[string]string{"TF_LOG_SDK": "TRACE"}, ""},
		{map[string]string{"TF_LOG_CORE": "TRACE"}, "OFF"},
		{map[string]string{"TF_LOG_SDK_FRAMEWORK": "trace"}, ""},
		{map[string]string{"TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG": "trace"}, ""},
	} {
		if got := FrameworkLogLevel(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("FrameworkLogLevel(%v) = %q, want %q", c.env, got, c.want)
		}
	}
}

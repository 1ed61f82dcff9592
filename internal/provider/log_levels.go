package provider

import "strings"

// The framework logs at TRACE level for every element of every attribute it
// walks, several walks per call, and terraform-plugin-log emits SDK logs at
// TRACE unless told otherwise: for one guayaba_session_labels over 10,000
// labels that is hundreds of thousands of JSON lines per plan, which the
// provider writes and Terraform parses and then discards when its own log
// level is off. A plan spent most of its provider CPU time there.

// frameworkLogEnv is the level of terraform-plugin-framework's own logs.
const frameworkLogEnv = "TF_LOG_SDK_FRAMEWORK"

// logLevels ranks the levels Terraform and terraform-plugin-log read, most
// verbose first.
var logLevels = []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"}

// FrameworkLogLevel returns the level to give the framework's logs, or ""
// to leave them as they are: the most verbose level anyone can see. Plugin
// logs reach the user only through Terraform's TF_LOG or TF_LOG_PROVIDER
// (or the SDK's own TF_LOG_SDK); with none of them set nobody sees them,
// so the framework is told OFF. An explicit TF_LOG_SDK_FRAMEWORK, or any
// variable asking for TRACE (or a value this does not know, such as
// TF_LOG=JSON), is left alone.
func FrameworkLogLevel(getenv func(string) string) string {
	if getenv(frameworkLogEnv) != "" {
		return ""
	}
	visible := len(logLevels) - 1 // OFF
	for _, name := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK"} {
		v := strings.ToUpper(strings.TrimSpace(getenv(name)))
		if v == "" {
			continue
		}
		rank := 0 // an unknown value: as verbose as it gets
		for i, l := range logLevels {
			if v == l {
				rank = i
			}
		}
		visible = min(visible, rank)
	}
	if visible == 0 {
		return ""
	}
	return logLevels[visible]
}

package sandbox

// Variants are the platform behaviours that the [assumed] points of
// BEHAVIOUR.md leave open, by name: every test of what the provider writes
// runs against each of them.
//
//   - "strict": unknown keys answer 404, success bodies are empty, a session
//     without a label carries "label": null, lists come in a stable order.
//   - "lenient": unknown keys answer 200 and change nothing (rename creates
//     a session with the key), success bodies carry a message, null labels
//     are left out, lists come shuffled.
func Variants() map[string]Options {
	return map[string]Options{
		"strict": {},
		"lenient": {
			UnknownKeys:   UnknownKeyLenient,
			SuccessBody:   SuccessMessage,
			OmitNullLabel: true,
			ShuffleLists:  true,
		},
	}
}

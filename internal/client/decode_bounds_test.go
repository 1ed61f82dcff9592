package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Listings and histories are read within bounds (MaxAnswerBytes,
// MaxEntryBytes, MaxMessageBytes, MaxListingElements, MaxHistoryMessages,
// MaxDepth) instead of a size wall: legitimate answers far larger than the
// old 16 MiB decode, and every hostile answer ends early, with an error that
// says which bound it went past (a *LimitError) or that the body is not the
// API's JSON (a *DecodeError).

// streamed is an answer written as it is generated: head, then piece(0),
// piece(1), ... until piece returns "" or the client hangs up, then tail.
type streamed struct {
	head  string
	piece func(i int) string
	tail  string
}

// full is the size of the whole answer; -1 when it is endless.
func (s streamed) full(endless bool) int64 {
	if endless {
		return -1
	}
	n := int64(len(s.head) + len(s.tail))
	for i := 0; ; i++ {
		p := s.piece(i)
		if p == "" {
			return n
		}
		n += int64(len(p))
	}
}

// serveStreamed answers every request with 200 and body, and counts the
// bytes it wrote in all.
func serveStreamed(t *testing.T, body streamed) (*Client, *atomic.Int64) {
	t.Helper()
	written := new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		cw := &countingWriter{w: w, n: written}
		bw := bufio.NewWriterSize(cw, 32<<10)
		_, err := bw.WriteString(body.head)
		for i := 0; err == nil; i++ {
			p := body.piece(i)
			if p == "" {
				break
			}
			_, err = bw.WriteString(p)
		}
		if err == nil {
			_, _ = bw.WriteString(body.tail)
			_ = bw.Flush()
		}
	}))
	t.Cleanup(srv.Close)
	// Reading a bound's worth is slow under the race detector: give it
	// time, so that only the bound ends the call.
	c := fastClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 5 * time.Minute })
	t.Cleanup(srv.CloseClientConnections)
	return c, written
}

type countingWriter struct {
	w http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// repeat returns a piece function giving s n times (n < 0: endlessly).
func repeat(s string, n int) func(int) string {
	return func(i int) string {
		if n >= 0 && i >= n {
			return ""
		}
		return s
	}
}

var (
	listSessions = func(c *Client) error { _, err := c.ListSessions(context.Background(), "a"); return err }
	listArchives = func(c *Client) error { _, err := c.ListArchives(context.Background(), "a"); return err }
	readHistory  = func(c *Client) error { _, err := c.History(context.Background(), "a", "k", 1000); return err }
)

const fiveHundredMB = 500_000_000

// Every hostile answer ends in an error that names what went wrong, and
// reading stops early: the client read a small part of the answer, and the
// server wrote far less than all of it before the client hung up.
func TestHostileAnswers(t *testing.T) {
	t.Parallel()
	chunk := func(c byte) string { return strings.Repeat(string(c), 32<<10) }
	cases := []struct {
		name    string
		call    func(*Client) error
		body    streamed
		endless bool
		// The error: a *LimitError past bound, else a *DecodeError; its
		// text contains want.
		bound Bound
		want  string
		// At most this much of the answer is read by the client.
		maxRead int64
	}{
		{"endless list of sessions", listSessions,
			streamed{`[{"key":"k"}`, func(i int) string { return fmt.Sprintf(`,{"key":"k%d"}`, i) }, ""}, true,
			BoundElements, "the list has more than 200000 sessions", 16 << 20},
		{"endless white space in a listing", listArchives,
			streamed{`[{"filename":"f"}`, repeat(chunk(' '), -1), ""}, true,
			BoundAnswerBytes, "the answer is larger than the 1 GiB the client reads of one answer", MaxAnswerBytes + 64<<10},
		{"endless object in a session", listSessions,
			streamed{`[{"key":"k"`, func(i int) string { return fmt.Sprintf(`,"f%d":%d`, i, i) }, ""}, true,
			BoundElementBytes, "session 1 of the list is larger than the 4 MiB the client reads of one session", 5 << 20},
		{"a 500 MB string in a session", listSessions,
			streamed{`[{"key":"k","origin":"`, repeat(chunk('x'), fiveHundredMB/(32<<10)), `"}]`}, false,
			BoundElementBytes, "session 1 of the list is larger than the 4 MiB", 5 << 20},
		{"a 500 MB string in the second archive", listArchives,
			streamed{`[{"filename":"a"},{"filename":"b","label":"`, repeat(chunk('x'), fiveHundredMB/(32<<10)), `"}]`}, false,
			BoundElementBytes, "archive 2 of the list is larger than the 4 MiB", 5 << 20},
		{"a 500 MB string in a message", readHistory,
			streamed{`[{"id":"1","content":"`, repeat(chunk('x'), fiveHundredMB/(32<<10)), `"}]`}, false,
			BoundElementBytes, "message 1 of the list is larger than the 8 MiB the client reads of one message", 9 << 20},
		{"a 500 MB string as the answer", listSessions,
			streamed{`"`, repeat(chunk('x'), fiveHundredMB/(32<<10)), `"`}, false,
			"", "want a JSON array", 64 << 10},
		{"100,000 levels of nesting in a session", listSessions,
			streamed{`[{"key":"k","origin":`, repeat("[", 100_000), strings.Repeat("]", 100_000) + "}]"}, false,
			BoundDepth, "session 1 of the list nests arrays and objects deeper than 128 levels", 64 << 10},
		{"100,000 levels of nesting as the elements", readHistory,
			streamed{`[`, repeat("[", 100_000), strings.Repeat("]", 100_001)}, false,
			"", "message 1 of the list is an array, want an object", 64 << 10},
		{"junk after a valid array", listSessions,
			streamed{`[{"key":"a"}]`, repeat(chunk('j'), -1), ""}, true,
			"", "data after the JSON array", 64 << 10},
		{"a string after a valid array", readHistory,
			streamed{`[{"id":"1"}] "`, repeat(chunk('x'), -1), ""}, true,
			"", "data after the JSON array", 64 << 10},
		{"1,000,000 tiny sessions", listSessions,
			streamed{`[{"key":"k"}`, func(i int) string {
				if i >= 999_999 {
					return ""
				}
				return fmt.Sprintf(`,{"key":"agent:main:telegram:direct:%07d"}`, i)
			}, "]"}, false,
			BoundElements, "the list has more than 200000 sessions", 32 << 20},
		{"1,000,000 tiny messages", readHistory,
			streamed{`[{}`, func(i int) string {
				if i >= 999_999 {
					return ""
				}
				return fmt.Sprintf(`,{"id":"m%07d","role":"user"}`, i)
			}, "]"}, false,
			BoundElements, "the list has more than 10000 messages", 1 << 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, written := serveStreamed(t, tc.body)
			start := time.Now()
			err := tc.call(c)
			took := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			var le *LimitError
			var de *DecodeError
			switch {
			case tc.bound != "" && (!errors.As(err, &le) || le.Bound != tc.bound):
				t.Fatalf("got %T %v, want a *LimitError past the %s", err, err, tc.bound)
			case tc.bound == "" && !errors.As(err, &de):
				t.Fatalf("got %T %v, want a *DecodeError", err, err)
			case le != nil && (le.Seen <= le.Limit || le.Read > tc.maxRead || le.Op == "" || le.StatusCode != 200):
				t.Errorf("limit error %+v: want Seen past Limit, at most %d bytes read, the call named", le, tc.maxRead)
			}
			if len(err.Error()) > 1000 {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
			// The server stops writing once the client has hung up; what
			// it wrote past what the client read sat in socket buffers.
			time.Sleep(50 * time.Millisecond)
			w := written.Load()
			full := tc.body.full(tc.endless)
			t.Logf("%v after %s: the server wrote %s of %s", err, took.Round(time.Millisecond), sizeText(w), fullText(full))
			if full >= 0 && w > full*3/4 && full > 1<<20 {
				t.Errorf("the server wrote %s of %s: reading did not stop early", sizeText(w), sizeText(full))
			}
			if w > tc.maxRead+32<<20 {
				t.Errorf("the server wrote %s, more than the %s the client may read and the socket buffers hold", sizeText(w), sizeText(tc.maxRead))
			}
		})
	}
}

func fullText(n int64) string {
	if n < 0 {
		return "an endless answer"
	}
	return sizeText(n)
}

// Legitimate answers past the old 16 MiB wall decode: an agent with 45,000
// sessions (about 18 MB of listing) and a history of 1,000 messages of
// 24 KB (about 24 MB).
func TestLargeAnswersDecode(t *testing.T) {
	t.Parallel()
	t.Run("45,000 sessions", func(t *testing.T) {
		t.Parallel()
		const n = 45_000
		c, written := serveStreamed(t, streamed{"[", func(i int) string {
			if i >= n {
				return ""
			}
			sep := ","
			if i == 0 {
				sep = ""
			}
			return sep + fmt.Sprintf(`{"key":"agent:main:telegram:direct:%09d","sessionId":"6f1c2a7e-1b2d-4c3e-9f00-%012d",`+
				`"sessionFile":"/data/agents/main/sessions/6f1c2a7e-1b2d-4c3e-9f00-%012d.jsonl","label":"Customer %d",`+
				`"updatedAt":1764349200000,"chatType":"direct","lastChannel":"telegram","origin":{"provider":"telegram",`+
				`"surface":"telegram","chatType":"direct","from":{"id":%d,"username":"customer_%d","firstName":"Ana"},`+
				`"to":"telegram:bot"},"deliveryContext":{"channel":"telegram","to":"telegram:%d"},"abortedLastRun":false}`,
				i, i, i, i, 700000000+i, i, 700000000+i)
		}, "]"})
		got, err := c.ListSessions(context.Background(), "a")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n || got[n-1].Key != fmt.Sprintf("agent:main:telegram:direct:%09d", n-1) || got[7].Label == nil || *got[7].Label != "Customer 7" {
			t.Fatalf("got %d sessions, the last %+v", len(got), got[len(got)-1])
		}
		if w := written.Load(); w < 16<<20 {
			t.Fatalf("the listing is %s, not past the old 16 MiB", sizeText(w))
		} else {
			t.Logf("%d sessions in %s of listing", n, sizeText(w))
		}
	})
	t.Run("1,000 messages of 24 KB", func(t *testing.T) {
		t.Parallel()
		text := strings.Repeat("tool output line\n", 24_000/17)
		c, written := serveStreamed(t, streamed{"[", func(i int) string {
			if i >= 1000 {
				return ""
			}
			sep := ","
			if i == 0 {
				sep = ""
			}
			return sep + fmt.Sprintf(`{"id":"m-%d","role":"assistant","content":[{"type":"text","text":%q}],"timestamp":1764349200000}`, i, text)
		}, "]"})
		got, err := c.History(context.Background(), "a", "k", 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1000 || got[999].ID != "m-999" || got[999].Text() != text {
			t.Fatalf("got %d messages", len(got))
		}
		t.Logf("1,000 messages in %s of history", sizeText(written.Load()))
	})
}

// The per-element form hands over every element in order; an error of the
// caller's function stops the read at once and comes back as it was, not
// retried; an attempt dropped while its answer streams in is retried and
// starts the list over at index 0, so the slice form holds each element
// once.
func TestEachElement(t *testing.T) {
	t.Parallel()
	const n = 50_000
	element := func(i int) string { return fmt.Sprintf(`{"key":"k-%06d","label":"L%d"}`, i, i) }
	var requests atomic.Int64
	var drop atomic.Bool // drop the next answer halfway
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		dropThis := drop.CompareAndSwap(true, false)
		bw := bufio.NewWriter(w)
		_, _ = bw.WriteString("[")
		for i := range n {
			if i > 0 {
				_, _ = bw.WriteString(",")
			}
			_, _ = bw.WriteString(element(i))
			if dropThis && i == n/2 {
				_ = bw.Flush()
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						_ = conn.Close()
					}
				}
				return
			}
		}
		_, _ = bw.WriteString("]")
		_ = bw.Flush()
	}))
	defer srv.Close()
	c := fastClient(t, srv.URL, nil)

	// Keep one in a thousand.
	var kept []string
	err := c.EachSession(context.Background(), "a", func(i int, s Session) error {
		if i == 0 {
			kept = nil
		}
		if i%1000 == 0 {
			kept = append(kept, s.Key)
		}
		return nil
	})
	if err != nil || len(kept) != n/1000 || kept[1] != "k-001000" {
		t.Fatalf("kept %d (%v)", len(kept), err)
	}

	stop := errors.New("enough")
	seen := 0
	err = c.EachSession(context.Background(), "a", func(i int, s Session) error {
		seen++
		if i == 9 {
			return stop
		}
		return nil
	})
	if err != stop || seen != 10 {
		t.Fatalf("stopped after %d: %v, want the function's own error", seen, err)
	}

	// The first attempt is dropped halfway: the retry starts over.
	requests.Store(0)
	drop.Store(true)
	got, err := c.ListSessions(context.Background(), "a")
	if err != nil || len(got) != n || requests.Load() != 2 {
		t.Fatalf("got %d sessions in %d requests: %v", len(got), requests.Load(), err)
	}
	for i, s := range got {
		if s.Key != fmt.Sprintf("k-%06d", i) {
			t.Fatalf("session %d is %q", i, s.Key)
		}
	}
}

// The bounds are where they say: 128 levels decode and 129 do not; an
// entry just under its bound decodes and one just over does not.
func TestBoundsAtTheEdge(t *testing.T) {
	t.Parallel()
	nested := func(levels int) string { // the list and the entry are two levels
		return `[{"key":"k","origin":` + strings.Repeat("[", levels-2) + strings.Repeat("]", levels-2) + `}]`
	}
	entry := func(size int) string { // one entry of size bytes
		head := `{"key":"k","origin":"`
		return "[" + head + strings.Repeat("x", size-len(head)-2) + `"}]`
	}
	cases := []struct {
		body  string
		bound Bound // "" for no error
	}{
		{nested(MaxDepth), ""},
		{nested(MaxDepth + 1), BoundDepth},
		{entry(MaxEntryBytes - 8), ""},
		{entry(MaxEntryBytes + 8), BoundElementBytes},
		{"[" + strings.Repeat(" ", 3<<20) + `{"key":"k"}` + strings.Repeat(" ", 3<<20) + "]", ""}, // white space is squeezed
	}
	for i, tc := range cases {
		var got []Session
		err := decodeList(call{op: "list sessions"}, 200, []byte(tc.body), &got)
		var le *LimitError
		switch {
		case tc.bound == "" && (err != nil || len(got) != 1):
			t.Errorf("case %d: %v", i, err)
		case tc.bound != "" && (!errors.As(err, &le) || le.Bound != tc.bound || le.Index != 1):
			t.Errorf("case %d: got %v, want a *LimitError past the %s at session 1", i, err, tc.bound)
		}
	}
}

// Command guayaba-sandbox runs the in-memory emulator of the Guayaba Sessions
// API as a local server, for demos and offline use.
//
//	guayaba-sandbox                               # demo data on 127.0.0.1:8787
//	guayaba-sandbox --addr 127.0.0.1:0 --url-file /tmp/url
//	guayaba-sandbox --generate agents=1,sessions=1000,archives=10,messages=5,seed=1
//	guayaba-sandbox --seed fixture.json --unknown-keys lenient --success-body message
//	guayaba-sandbox --random-faults 'p=0.17,statuses=429+500+502+503+504,lost=0.3,drop=0.1,seed=42'
//
// It prints the dashboard's URL (a web page to change sessions by hand), the
// API base URL, the keys and the agent ids, then serves until SIGINT or
// SIGTERM. The control API is under /_sandbox/ (see package sandbox).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "guayaba-sandbox:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("guayaba-sandbox", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8787", "listen address (loopback unless --allow-remote)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback listen address, and API requests addressed to any host name "+
		"(anyone who reaches the address, and any web page by DNS rebinding, can then use the API with the public demo keys)")
	seed := fs.String("seed", "", "load this fixture JSON file")
	generate := fs.String("generate", "", "generate data: agents=N,sessions=N,archives=N,messages=N,seed=N; history=N,message_bytes=N give each agent's first session a long transcript")
	demo := fs.Bool("demo", false, "load the demo fixture (the default when neither --seed nor --generate is given)")
	unknownKeys := fs.String("unknown-keys", "404", "unknown session keys and archives: 404 or lenient")
	successBody := fs.String("success-body", "empty", "success body of POST actions: empty, object or message")
	omitNullLabel := fs.Bool("omit-null-label", false, "leave the label field out instead of null")
	shuffle := fs.Bool("shuffle", false, "return lists in random order")
	rateLimit := fs.Int("rate-limit", 0, "per-key requests per minute (0: off)")
	burst := fs.Int("burst", 0, "rate-limit burst (0: the per-minute rate)")
	urlFile := fs.String("url-file", "", "write the API base URL to this file once listening")
	randomFaults := fs.String("random-faults", "", "inject faults at random, e.g. "+
		"'p=0.17,statuses=429+500+502+503+504,lost=0.3,drop=0.1,routes=writes,seed=42':\n"+
		"p: chance of a fault per request (0 to 1, required); statuses: the statuses answered, drawn uniformly\n"+
		"(default 429+500+502+503+504; a 429 says Retry-After 0 or 1, a 503 is a transient outage); lost: share of\n"+
		"the faults whose request is done but its answer dropped; drop: share whose connection is closed before\n"+
		"anything is done; routes: route names or reads/writes joined by + (default all); seed: the same seed and\n"+
		"the same sequence of requests give the same faults (concurrent clients change the sequence)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}

	if !*allowRemote {
		if err := requireLoopback(*addr); err != nil {
			return err
		}
	}
	opts := sandbox.Options{
		UnknownKeys:        sandbox.UnknownKeyMode(*unknownKeys),
		SuccessBody:        sandbox.SuccessBodyMode(*successBody),
		OmitNullLabel:      *omitNullLabel,
		ShuffleLists:       *shuffle,
		RateLimitPerMinute: *rateLimit,
		RateLimitBurst:     *burst,
		AllowRemote:        *allowRemote,
	}
	switch opts.UnknownKeys {
	case sandbox.UnknownKey404, sandbox.UnknownKeyLenient:
	default:
		return fmt.Errorf("--unknown-keys: want 404 or lenient, got %q", *unknownKeys)
	}
	switch opts.SuccessBody {
	case sandbox.SuccessEmpty, sandbox.SuccessObject, sandbox.SuccessMessage:
	default:
		return fmt.Errorf("--success-body: want empty, object or message, got %q", *successBody)
	}

	var random *sandbox.RandomFaults
	if *randomFaults != "" {
		rf, err := sandbox.ParseRandomFaults(*randomFaults)
		if err != nil {
			return fmt.Errorf("--random-faults: %w", err)
		}
		random = &rf
	}

	var fixtures []sandbox.Fixture
	if *seed != "" {
		b, err := os.ReadFile(*seed)
		if err != nil {
			return err
		}
		var f sandbox.Fixture
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("--seed %s: %w", *seed, err)
		}
		fixtures = append(fixtures, f)
	}
	if *generate != "" {
		g, err := sandbox.ParseGenerateOptions(*generate)
		if err != nil {
			return err
		}
		fixtures = append(fixtures, sandbox.Generate(g))
	}
	if *demo || len(fixtures) == 0 {
		fixtures = append(fixtures, sandbox.DemoFixture())
	}

	sb := sandbox.New(opts)
	for _, f := range fixtures {
		if err := sb.Load(f); err != nil {
			return err
		}
	}
	if random != nil {
		if _, err := sb.SetRandomFaults(*random); err != nil {
			return fmt.Errorf("--random-faults: %w", err)
		}
	}
	if err := sb.Start(*addr); err != nil {
		return err
	}
	defer sb.Close()
	if *urlFile != "" {
		if err := os.WriteFile(*urlFile, []byte(sb.URL()+"\n"), 0o600); err != nil {
			return err
		}
	}
	printBanner(out, sb, fixtures)

	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}

// requireLoopback refuses listen addresses that are not loopback.
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("--addr " + addr + " is not a loopback address; pass --allow-remote to listen on it")
}

const maxListedAgents = 10

func printBanner(out io.Writer, sb *sandbox.Sandbox, fixtures []sandbox.Fixture) {
	fmt.Fprintf(out, "Guayaba sandbox listening\n  dashboard: %s\n  base URL:  %s\n  control:   %s\n", sb.DashboardURL(), sb.URL(), sb.ControlURL())
	fmt.Fprintf(out, "  export GUAYABA_BASE_URL=%s\n", sb.URL())
	for _, f := range fixtures {
		fmt.Fprintln(out, "keys:")
		for _, k := range f.Keys {
			kind := "master"
			if !k.IsMaster() {
				kind = "agent " + k.AgentID + " scopes " + strings.Join(k.Scopes, ",")
			}
			fmt.Fprintf(out, "  %s  (%s)\n", k.Token, kind)
			if len(f.Keys) > maxListedAgents+1 && k.AgentID != "" {
				fmt.Fprintf(out, "  ... %d keys in all\n", len(f.Keys))
				break
			}
		}
		fmt.Fprintln(out, "agents:")
		for i, a := range f.Agents {
			if i == maxListedAgents {
				fmt.Fprintf(out, "  ... %d agents in all\n", len(f.Agents))
				break
			}
			fmt.Fprintf(out, "  %s  %d sessions, %d archives\n", a.ID, len(a.Sessions), len(a.Archives))
		}
	}
	if rf, on := sb.RandomFaults(); on {
		fmt.Fprintf(out, "random faults (the same seed replays them): --random-faults '%s'\n", rf)
	}
	fmt.Fprintln(out, "Ctrl-C to stop")
}

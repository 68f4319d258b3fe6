package warehouse

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	whsql "github.com/tradewh/tradewh/sql"
)

func TestOpenCreatesAndMigratesOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wh")
	ctx := context.Background()
	w, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	migrations := int64(len(whsql.Migrations()))
	if got := queryInt(t, w, "SELECT count(*) FROM schema_migrations"); got != migrations {
		t.Fatalf("schema_migrations has %d rows, want %d", got, migrations)
	}
	var firstApplied time.Time
	if err := w.DB().QueryRow("SELECT min(applied_at) FROM schema_migrations").Scan(&firstApplied); err != nil {
		t.Fatal(err)
	}
	refs := map[string]int64{
		"countries":        int64(len(etl.Countries())),
		"commodity_groups": int64(len(etl.CommodityGroups)),
		"commodity_codes":  int64(len(etl.AllGroupCodes())),
	}
	check := func(w *Warehouse) {
		for table, want := range refs {
			if got := queryInt(t, w, "SELECT count(*) FROM "+table); got != want {
				t.Errorf("%s has %d rows, want %d", table, got, want)
			}
		}
		if got := queryInt(t, w, "SELECT count(*) FROM commodity_usgs WHERE usgs_commodity = 'germanium'"); got != 1 {
			t.Errorf("commodity_usgs lacks germanium: %d rows", got)
		}
	}
	check(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopening applies nothing again and refreshes reference data in place.
	w, err = Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := queryInt(t, w, "SELECT count(*) FROM schema_migrations"); got != migrations {
		t.Fatalf("after reopen schema_migrations has %d rows, want %d", got, migrations)
	}
	var again time.Time
	if err := w.DB().QueryRow("SELECT min(applied_at) FROM schema_migrations").Scan(&again); err != nil {
		t.Fatal(err)
	}
	if !again.Equal(firstApplied) {
		t.Errorf("migrations re-applied: applied_at %v, was %v", again, firstApplied)
	}
	check(w)
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "nothing")
	_, err := Open(ctx, Options{Dir: missing, ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "no warehouse at "+missing) || !strings.Contains(err.Error(), "tradewh run") {
		t.Fatalf("read-only open of a missing warehouse: got %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only open created %s", missing)
	}

	dir := t.TempDir()
	w := openTest(t, dir)
	mustLoad(t, w, &testSource{flows: []etl.TradeFlow{flow(year(2023), "811292", 100, 1)}})
	w.Close()

	ro, err := Open(ctx, Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got := queryInt(t, ro, "SELECT count(*) FROM trade_flows"); got != 1 {
		t.Errorf("read-only sees %d trade flows, want 1", got)
	}
	if _, err := ro.Load(ctx, 1, &testSource{}); err == nil {
		t.Error("Load on a read-only warehouse succeeded")
	}
	if _, err := ro.DB().Exec("DELETE FROM trade_flows_history"); err == nil {
		t.Error("a write through a read-only warehouse succeeded")
	}
}

// A sealed reader reads the tables but no file outside them; its spill
// folder, the one it may write, is its own and goes with Close.
func TestOpenSealed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w := openTest(t, dir)
	mustLoad(t, w, &testSource{flows: []etl.TradeFlow{flow(year(2023), "811292", 100, 1)}})
	w.Close()
	if _, err := Open(ctx, Options{Dir: dir, Sealed: true}); err == nil {
		t.Fatal("a writable sealed open succeeded")
	}

	ro, err := Open(ctx, Options{Dir: dir, ReadOnly: true, Sealed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got := queryInt(t, ro, "SELECT count(*) FROM trade_flows"); got != 1 {
		t.Errorf("sealed reader sees %d trade flows, want 1", got)
	}
	outside := filepath.Join(t.TempDir(), "x.csv")
	if _, err := ro.DB().Exec("COPY (SELECT 1) TO '" + outside + "'"); err == nil || !strings.Contains(err.Error(), "disabled by configuration") {
		t.Errorf("COPY TO a file outside: %v", err)
	}
	spill := ro.TempDir()
	if rel, err := filepath.Rel(dir, spill); err != nil || !strings.HasPrefix(rel, "..") {
		t.Errorf("spill folder %s is inside the warehouse folder %s", spill, dir)
	}
	if _, err := ro.DB().Exec("COPY (SELECT 1) TO '" + filepath.Join(spill, "x.csv") + "'"); err != nil {
		t.Errorf("COPY TO the spill folder: %v", err)
	}
	ro.Close()
	if _, err := os.Stat(spill); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left the spill folder %s: %v", spill, err)
	}
}

// TestHoldLock is the helper process of TestOpenWaitsForLock: it holds the
// warehouse open until its standard input closes.
func TestHoldLock(t *testing.T) {
	dir := os.Getenv("TRADEWH_TEST_HOLD_LOCK")
	if dir == "" {
		t.Skip("helper process for TestOpenWaitsForLock")
	}
	w, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	io.Copy(io.Discard, os.Stdin)
	w.Close()
}

func TestOpenWaitsForLock(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldLock$")
	cmd.Env = append(os.Environ(), "TRADEWH_TEST_HOLD_LOCK="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper process did not lock the warehouse: %q %v", line, err)
	}
	go io.Copy(io.Discard, stdout)

	ctx := context.Background()
	for _, ro := range []bool{false, true} {
		start := time.Now()
		_, err := Open(ctx, Options{Dir: dir, ReadOnly: ro, OpenTimeout: 500 * time.Millisecond})
		if !errors.Is(err, etl.ErrLocked) || !strings.Contains(err.Error(), "locked by another process") {
			t.Fatalf("read-only=%v: open of a locked warehouse: got %v", ro, err)
		}
		if d := time.Since(start); d < 500*time.Millisecond {
			t.Errorf("read-only=%v: gave up after %v, before the timeout", ro, d)
		}
	}

	// Once the other process lets go, a waiting Open succeeds.
	time.AfterFunc(300*time.Millisecond, func() { stdin.Close() })
	w, err := Open(ctx, Options{Dir: dir, OpenTimeout: time.Minute})
	if err != nil {
		t.Fatalf("open after the lock was released: %v", err)
	}
	w.Close()
}

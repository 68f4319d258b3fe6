package jobs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
)

const helperEnv = "TRADEWH_LOCK_HELPER_DIR"

// TestHelperProcess is not a test: run by TestLockAcrossProcesses in a
// child process, it takes the lock, says so, and holds it until killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process for TestLockAcrossProcesses")
	}
	l, err := AcquireWriter(t.Context(), dir, "tradewh run", 0, nil)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	_ = l
	fmt.Println("locked")
	time.Sleep(time.Minute)
	os.Exit(0)
}

func TestLockAcrossProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses kill -9")
	}
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	child.Env = append(os.Environ(), helperEnv+"="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		t.Fatalf("child: %q", line)
	}
	pid := child.Process.Pid

	start := time.Now()
	_, err = AcquireWriter(t.Context(), dir, "tradewh load", 300*time.Millisecond, nil)
	if !errors.Is(err, etl.ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("gave up after %v, before the wait", waited)
	}
	wantMsg := fmt.Sprintf("warehouse %s is locked by pid %d (tradewh run) since ", dir, pid)
	if !strings.HasPrefix(err.Error(), wantMsg) {
		t.Errorf("error %q\nwant prefix %q", err, wantMsg)
	}
	var le *LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.PID != pid || time.Since(le.Holder.Since) > time.Minute {
		t.Errorf("LockedError holder: %+v", le)
	}

	// A killed holder's flock vanishes with it; its info stays and is reported.
	if err := child.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	var logs bytes.Buffer
	l, err := AcquireWriter(t.Context(), dir, "tradewh load", time.Minute, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("after kill: %v", err)
	}
	defer l.Release()
	if want := fmt.Sprintf("taking over stale lock from pid %d (tradewh run), not running", pid); !strings.Contains(logs.String(), want) {
		t.Errorf("log %q lacks %q", logs.String(), want)
	}
	if h, ok := ReadHolder(dir); !ok || h.PID != os.Getpid() || h.Command != "tradewh load" {
		t.Errorf("holder after takeover: %+v %v", h, ok)
	}
}

func TestLockInProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wh") // created on demand
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	a, err := AcquireWriter(t.Context(), dir, "first", 0, log)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if h, ok := ReadHolder(dir); !ok || h.PID != os.Getpid() || h.Command != "first" || h.Host != host || h.Since.IsZero() {
		t.Errorf("holder: %+v", h)
	}
	// A second handle conflicts even within one process.
	_, err = AcquireWriter(t.Context(), dir, "second", 0, log)
	if !errors.Is(err, etl.ErrLocked) || !strings.Contains(err.Error(), "(first)") {
		t.Fatalf("second acquire: %v", err)
	}

	// Released while another waits: the waiter gets it.
	go func() { time.Sleep(200 * time.Millisecond); a.Release() }()
	b, err := AcquireWriter(t.Context(), dir, "second", time.Minute, log)
	if err != nil {
		t.Fatalf("waiter: %v", err)
	}
	// A waiter whose context ends stops waiting.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := AcquireWriter(ctx, dir, "third", time.Hour, log); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: %v, want context.Canceled", err)
	}
	if !strings.Contains(logs.String(), "waiting for the warehouse writer lock") {
		t.Errorf("no waiting log: %s", logs.String())
	}
	if strings.Contains(logs.String(), "taking over") {
		t.Errorf("a clean release was reported as stale: %s", logs.String())
	}
	if err := b.Release(); err != nil {
		t.Fatal(err)
	}
	if err := b.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	if _, ok := ReadHolder(dir); ok {
		t.Error("holder info left after release")
	}
}

// A holder file naming a process that exited (without a flock, as after a
// crash) is reported and replaced.
func TestLockStaleHolderFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pid reuse semantics differ")
	}
	exited := exec.Command(os.Args[0], "-test.run=^$")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	host, _ := os.Hostname()
	if err := writeHolder(dir, Holder{PID: exited.Process.Pid, Command: "tradewh run", Host: host, Since: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	l, err := AcquireWriter(t.Context(), dir, "x", 0, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if !strings.Contains(logs.String(), fmt.Sprintf("stale lock from pid %d", exited.Process.Pid)) {
		t.Errorf("log: %s", logs.String())
	}
	// From another host the pid cannot be checked: said as such.
	l.Release()
	if err := writeHolder(dir, Holder{PID: 42, Command: "tradewh run", Host: "elsewhere", Since: time.Now()}); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	l2, err := AcquireWriter(t.Context(), dir, "x", 0, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Release()
	if !strings.Contains(logs.String(), "left by pid 42 (tradewh run) on host elsewhere") {
		t.Errorf("log: %s", logs.String())
	}
}

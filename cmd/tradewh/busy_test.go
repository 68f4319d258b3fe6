package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/jobs/runstatus"
	"github.com/tradewh/tradewh/output/warehouse"
)

const writerEnv = "TRADEWH_TEST_WRITER_DIR"

// TestHelperWriter is not a test: started by TestStatusAndQueryDuringALoad
// as another process, it holds the warehouse as a load does until its
// standard input closes.
func TestHelperWriter(t *testing.T) {
	dir := os.Getenv(writerEnv)
	if dir == "" {
		t.Skip("helper process")
	}
	lock, err := jobs.AcquireWriter(t.Context(), dir, "tradewh load", 0, nil)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer lock.Release()
	wh, err := warehouse.Open(context.Background(), warehouse.Options{Dir: dir})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer wh.Close()
	clock := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	w := runstatus.New(dir, lock.Holder.Command, func() time.Time { return clock }, nil)
	w.Begin("load-baci", "baci", 7)
	clock = clock.Add(5 * time.Second)
	w.Progress(123456)
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	w.End(etl.LoadStats{RowsIn: 123456, Loaded: 123456}, nil)
}

// While another process loads, status answers from the status file, query
// names the holder and the Parquet exports, and query --wait waits.
func TestStatusAndQueryDuringALoad(t *testing.T) {
	wh := emptyWarehouse(t)
	child := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
	child.Env = append(os.Environ(), writerEnv+"="+wh)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	if line, _ := bufio.NewReader(out).ReadString('\n'); strings.TrimSpace(line) != "ready" {
		t.Fatalf("writer: %q", line)
	}
	pid := fmt.Sprint(child.Process.Pid)

	code, stdout, errs := cli(t, "--warehouse", wh, "status")
	if code != 0 {
		t.Fatalf("status during a load: exit %d\n%s%s", code, stdout, errs)
	}
	for _, want := range []string{"in use by a writer: pid " + pid + " (tradewh load)", "Running: job load-baci (baci), run 7",
		"123456 rows read so far", "status.json"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, stdout)
		}
	}

	code, stdout, errs = cli(t, "--warehouse", wh, "query", "--format", "csv", "SELECT 41 + 1 AS answer")
	if code != 1 || stdout != "" {
		t.Fatalf("query during a load: exit %d, stdout %q", code, stdout)
	}
	for _, want := range []string{"pid " + pid + " (tradewh load) since", "running job load-baci", "read_parquet(",
		"query --wait --format csv \"SELECT 41 + 1 AS answer\""} {
		if !strings.Contains(errs, want) {
			t.Errorf("query's message lacks %q:\n%s", want, errs)
		}
	}

	type result struct {
		code    int
		out, er string
	}
	done := make(chan result)
	go func() {
		c, o, e := cli(t, "--warehouse", wh, "query", "--wait=5m", "--format", "csv", "SELECT 41 + 1 AS answer")
		done <- result{c, o, e}
	}()
	select {
	case r := <-done:
		t.Fatalf("query --wait returned while the writer held the warehouse: %+v", r)
	case <-time.After(3 * time.Second):
	}
	stdin.Close() // the load finishes
	if err := child.Wait(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 0 || r.out != "answer\n42\n" {
		t.Fatalf("query --wait: exit %d, %q\n%s", r.code, r.out, r.er)
	}

	st, err := runstatus.Read(wh)
	if err != nil || st.Running != nil || len(st.Recent) != 1 || st.Recent[0].Outcome != "ok" || st.Recent[0].RowsIn != 123456 {
		t.Errorf("status file after the load: %+v, %v", st, err)
	}
	stdout = mustCLI(t, "--warehouse", wh, "status")
	if strings.Contains(stdout, "in use by a writer") {
		t.Errorf("status after the load still reads the status file:\n%s", stdout)
	}
}

package arrowmem

import "testing"

func TestPoolReuses(t *testing.T) {
	p := newPool(1 << 20)
	cases := []struct{ size, class int }{{1, 64}, {64, 64}, {65, 128}, {1000, 1024}, {4096, 4096}}
	for _, c := range cases {
		if got := sizeClass(c.size); got != c.class {
			t.Errorf("sizeClass(%d) = %d, want %d", c.size, got, c.class)
		}
	}
	a := p.Allocate(1000)
	if len(a) != 1000 || cap(a) != 1024 {
		t.Fatalf("len %d cap %d", len(a), cap(a))
	}
	a[0] = 7
	p.Free(a)
	b := p.Allocate(900)
	if &b[:1][0] != &a[:1][0] {
		t.Error("a freed buffer of the class was not reused")
	}
	p.Free(make([]byte, 100)) // not a class size: ignored
	if p.kept != 0 {
		t.Errorf("kept %d bytes, want 0", p.kept)
	}
	// Beyond max, freed buffers are left to the GC.
	small := newPool(2048)
	small.Free(make([]byte, 1024))
	small.Free(make([]byte, 1024))
	small.Free(make([]byte, 1024))
	if small.kept != 2048 {
		t.Errorf("kept %d bytes, want 2048", small.kept)
	}
}

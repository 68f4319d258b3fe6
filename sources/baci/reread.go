package baci

// Reread reports that Extract reads the same files each time it runs.
func (s *Source) Reread() bool { return true }

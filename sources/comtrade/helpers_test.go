package comtrade

func val(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

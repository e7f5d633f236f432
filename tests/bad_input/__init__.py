"""The bad-input corpus: copies of the example force with ONE defect each (see ``defects``)."""

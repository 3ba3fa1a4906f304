"""Built-in operations: each is an `autograd.Function` with `_raw = True` plus thin entry
points (`ember.xxx`, Tensor methods, operators) that each module here attaches itself."""

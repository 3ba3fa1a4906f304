"""`ember.nn.functional`: the functional forms of layers, activations and losses (as
`torch.nn.functional`). The ops live in `ember.ops`; this module only gathers them."""

from ..ops.activation import *
from ..ops.attention import *
from ..ops.conv import *
from ..ops.ctc import *
from ..ops.loss import *
from ..ops.nn_ops import *
from ..ops.norm import *
from ..ops.pool import *
from ..ops.sampling import *

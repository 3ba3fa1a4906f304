"""`ember.nn`: modules, layers, losses, init and functional, as `torch.nn`."""

from . import functional, init, parallel, utils
from .module import (Module, register_module_buffer_registration_hook,
                     register_module_forward_hook, register_module_forward_pre_hook,
                     register_module_full_backward_hook, register_module_full_backward_pre_hook,
                     register_module_module_registration_hook,
                     register_module_parameter_registration_hook)
from .modules.activation import *
from .modules.container import *
from .modules.flatten import *
from .modules.linear import *
from .modules.dropout import *
from .modules.sparse import *
from .modules.normalization import *
from .modules.batchnorm import *
from .modules.distance import *
from .modules.attention import *
from .modules.loss import *
from .modules.conv import *
from .modules.lazy import *
from .modules.pooling import *
from .modules.padding import *
from .modules.upsampling import *
from .modules.rnn import *
from .modules.transformer import *
from .modules.adaptive import *
from .modules.syncbn import *
from .parameter import Buffer, Parameter
from .parallel import DataParallel

// Verified access to TFLite flatbuffers for Swift. Structural safety comes from
// the flatbuffers Verifier; when it rejects a file, a second walk verifies each
// table on its own to name the innermost one at fault.

#include "hk_tflite.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#include "harken_tflite_generated.h"

namespace tfl = harken::tflite;

struct hk_tfl_model {
    uint8_t *bytes;
    size_t length;
    const tfl::Model *model;
};

namespace {

constexpr flatbuffers::uoffset_t kMaxDepth = 64;
constexpr flatbuffers::uoffset_t kMaxTables = 1000000;

void set_error(hk_tfl_error *err, size_t offset, const std::string &where, const std::string &what) {
    if (!err) return;
    err->byte_offset = offset;
    std::snprintf(err->where, sizeof err->where, "%s", where.c_str());
    std::snprintf(err->what, sizeof err->what, "%s", what.c_str());
}

// Generated tables derive privately from flatbuffers::Table and add no members,
// so the diagnosis reaches the per-field verification through the base.
template <typename T>
const flatbuffers::Table *as_table(const T *t) {
    return reinterpret_cast<const flatbuffers::Table *>(t);
}

class Diagnosis {
  public:
    Diagnosis(const uint8_t *buf, size_t len) : buf_(buf), len_(len) {}

    size_t offset_of(const void *p) const { return static_cast<size_t>(static_cast<const uint8_t *>(p) - buf_); }

    flatbuffers::Verifier verifier() const {
        return flatbuffers::Verifier(buf_, len_, kMaxDepth, kMaxTables);
    }

    // The table's own header and scalar/offset fields, without descending.
    template <typename T>
    bool table_start_ok(const T *t) const {
        auto v = verifier();
        return as_table(t)->VerifyTableStart(v);
    }

    // A vector-of-tables field: the field, the vector, then each element in turn.
    // `get` reads the field, so it runs only once the field's own slot is verified.
    template <typename Parent, typename Get, typename Fn>
    bool walk_vector(const Parent *parent, flatbuffers::voffset_t field, Get &&get, const std::string &path,
                     hk_tfl_error *err, Fn &&descend) const {
        auto v = verifier();
        if (!as_table(parent)->VerifyOffset(v, field)) {
            set_error(err, offset_of(parent), path, "a field offset inside the file");
            return false;
        }
        const auto *vec = get();
        using Elem = typename std::remove_pointer<decltype(vec->Get(0))>::type;
        if (!v.VerifyVector(vec)) {
            set_error(err, offset_of(parent), path, "a vector of tables inside the file");
            return false;
        }
        if (!vec) return true;
        for (flatbuffers::uoffset_t i = 0; i < vec->size(); ++i) {
            const std::string elem_path = path + "[" + std::to_string(i) + "]";
            // The element offset itself is inside the verified vector.
            const uint8_t *slot = reinterpret_cast<const uint8_t *>(vec->Data()) + i * sizeof(flatbuffers::uoffset_t);
            const flatbuffers::uoffset_t rel = flatbuffers::ReadScalar<flatbuffers::uoffset_t>(slot);
            if (rel > len_ || static_cast<size_t>(slot - buf_) > len_ - rel) {
                set_error(err, offset_of(slot), elem_path, "an offset to a table inside the file");
                return false;
            }
            const auto *e = static_cast<const Elem *>(vec->Get(i));
            if (!table_start_ok(e)) {
                set_error(err, offset_of(e), elem_path, "a table with a valid vtable");
                return false;
            }
            if (!descend(e, elem_path)) return false;
            auto ev = verifier();
            if (!e->Verify(ev)) {
                set_error(err, offset_of(e), elem_path, "fields of the declared types within the file");
                return false;
            }
        }
        return true;
    }

    bool tensor(const tfl::Tensor *t, const std::string &path, hk_tfl_error *err) const {
        auto v = verifier();
        if (!as_table(t)->VerifyOffset(v, tfl::Tensor::VT_QUANTIZATION)) {
            set_error(err, offset_of(t), path + ".quantization", "an offset to a table inside the file");
            return false;
        }
        if (const auto *q = t->quantization()) {
            auto qv = verifier();
            if (!q->Verify(qv)) {
                set_error(err, offset_of(q), path + ".quantization", "vectors of scales and zero points inside the file");
                return false;
            }
        }
        return true;
    }

    bool subgraph(const tfl::SubGraph *g, const std::string &path, hk_tfl_error *err) const {
        if (!walk_vector(g, tfl::SubGraph::VT_TENSORS, [&] { return g->tensors(); }, path + ".tensors", err,
                         [&](const tfl::Tensor *t, const std::string &p) { return tensor(t, p, err); }))
            return false;
        return walk_vector(g, tfl::SubGraph::VT_OPERATORS, [&] { return g->operators(); }, path + ".operators", err,
                           [&](const tfl::Operator *, const std::string &) { return true; });
    }

    void locate(hk_tfl_error *err) const {
        if (len_ < 8) {
            set_error(err, 0, "file header", "at least 8 bytes (root offset and file identifier), got " + std::to_string(len_));
            return;
        }
        const flatbuffers::uoffset_t root = flatbuffers::ReadScalar<flatbuffers::uoffset_t>(buf_);
        if (root > len_ - 4 || root < 4) {
            set_error(err, 0, "root offset", "an offset to the Model table inside the file, got " + std::to_string(root));
            return;
        }
        const tfl::Model *m = tfl::GetModel(buf_);
        if (!table_start_ok(m)) {
            set_error(err, root, "Model", "a table with a valid vtable");
            return;
        }
        auto nothing = [](const void *, const std::string &) { return true; };
        if (!walk_vector(m, tfl::Model::VT_OPERATOR_CODES, [&] { return m->operator_codes(); }, "Model.operator_codes", err, nothing)) return;
        if (!walk_vector(m, tfl::Model::VT_SUBGRAPHS, [&] { return m->subgraphs(); }, "Model.subgraphs", err,
                         [&](const tfl::SubGraph *g, const std::string &p) { return subgraph(g, p, err); }))
            return;
        if (!walk_vector(m, tfl::Model::VT_BUFFERS, [&] { return m->buffers(); }, "Model.buffers", err, nothing)) return;
        if (!walk_vector(m, tfl::Model::VT_METADATA, [&] { return m->metadata(); }, "Model.metadata", err, nothing)) return;
        set_error(err, root, "Model", "fields of the declared types within the file");
    }

  private:
    const uint8_t *buf_;
    size_t len_;
};

hk_tfl_ints ints(const flatbuffers::Vector<int32_t> *v) {
    if (!v) return {nullptr, 0};
    return {v->data(), v->size()};
}

hk_tfl_string str(const flatbuffers::String *s) {
    if (!s) return {nullptr, 0};
    return {s->c_str(), s->size()};
}

const tfl::SubGraph *subgraph_at(const hk_tfl_model *m, uint32_t i) {
    return m->model->subgraphs()->Get(i);
}

void fill_options(const tfl::Operator *op, hk_tfl_options *o) {
    std::memset(o, 0, sizeof *o);
    o->stride_w = o->stride_h = 1;
    o->dilation_w = o->dilation_h = 1;
    o->depth_multiplier = 1;
    o->beta = 1.0f;
    if (const auto *c = op->builtin_options_as_Conv2DOptions()) {
        o->padding = static_cast<int32_t>(c->padding());
        o->stride_w = c->stride_w();
        o->stride_h = c->stride_h();
        o->activation = static_cast<int32_t>(c->fused_activation_function());
        o->dilation_w = c->dilation_w_factor();
        o->dilation_h = c->dilation_h_factor();
    } else if (const auto *d = op->builtin_options_as_DepthwiseConv2DOptions()) {
        o->padding = static_cast<int32_t>(d->padding());
        o->stride_w = d->stride_w();
        o->stride_h = d->stride_h();
        o->depth_multiplier = d->depth_multiplier();
        o->activation = static_cast<int32_t>(d->fused_activation_function());
        o->dilation_w = d->dilation_w_factor();
        o->dilation_h = d->dilation_h_factor();
    } else if (const auto *p = op->builtin_options_as_Pool2DOptions()) {
        o->padding = static_cast<int32_t>(p->padding());
        o->stride_w = p->stride_w();
        o->stride_h = p->stride_h();
        o->filter_w = p->filter_width();
        o->filter_h = p->filter_height();
        o->activation = static_cast<int32_t>(p->fused_activation_function());
    } else if (const auto *f = op->builtin_options_as_FullyConnectedOptions()) {
        o->activation = static_cast<int32_t>(f->fused_activation_function());
        o->weights_format = static_cast<int32_t>(f->weights_format());
        o->keep_num_dims = f->keep_num_dims();
    } else if (const auto *s = op->builtin_options_as_SoftmaxOptions()) {
        o->beta = s->beta();
    } else if (const auto *c2 = op->builtin_options_as_ConcatenationOptions()) {
        o->axis = c2->axis();
        o->activation = static_cast<int32_t>(c2->fused_activation_function());
    } else if (const auto *a = op->builtin_options_as_AddOptions()) {
        o->activation = static_cast<int32_t>(a->fused_activation_function());
    } else if (const auto *r = op->builtin_options_as_ReshapeOptions()) {
        o->new_shape = ints(r->new_shape());
    } else if (const auto *mu = op->builtin_options_as_MulOptions()) {
        o->activation = static_cast<int32_t>(mu->fused_activation_function());
    } else if (const auto *re = op->builtin_options_as_ReducerOptions()) {
        o->keep_dims = re->keep_dims();
    } else if (const auto *ss = op->builtin_options_as_StridedSliceOptions()) {
        o->begin_mask = ss->begin_mask();
        o->end_mask = ss->end_mask();
        o->ellipsis_mask = ss->ellipsis_mask();
        o->new_axis_mask = ss->new_axis_mask();
        o->shrink_axis_mask = ss->shrink_axis_mask();
        o->offset = ss->offset();
    } else if (const auto *sp = op->builtin_options_as_SplitOptions()) {
        o->num_splits = sp->num_splits();
    } else if (const auto *sv = op->builtin_options_as_SplitVOptions()) {
        o->num_splits = sv->num_splits();
    } else if (const auto *co = op->builtin_options_as_CallOnceOptions()) {
        o->init_subgraph_index = co->init_subgraph_index();
    } else if (const auto *vh = op->builtin_options_as_VarHandleOptions()) {
        o->container = str(vh->container());
        o->shared_name = str(vh->shared_name());
    }
}

}  // namespace

extern "C" {

int hk_tfl_open(const uint8_t *bytes, size_t length, hk_tfl_model **out, hk_tfl_error *err) {
    *out = nullptr;
    if (length >= (size_t{1} << 31)) {
        set_error(err, 0, "file", "a flatbuffer under 2 GiB");
        return 1;
    }
    // A private, 16-byte aligned copy: the verifier checks alignment relative to the
    // buffer start, so an aligned start makes every verified scalar load aligned.
    void *copy = nullptr;
    if (posix_memalign(&copy, 16, length ? length : 1) != 0) {
        set_error(err, 0, "file", "memory for a copy of the file");
        return 1;
    }
    if (length) std::memcpy(copy, bytes, length);
    const uint8_t *buf = static_cast<const uint8_t *>(copy);

    flatbuffers::Verifier verifier(buf, length, kMaxDepth, kMaxTables);
    if (length < 8 || !verifier.VerifyBuffer<tfl::Model>(nullptr)) {
        Diagnosis(buf, length).locate(err);
        std::free(copy);
        return 1;
    }
    const tfl::Model *model = tfl::GetModel(buf);
    if (!model->subgraphs() || model->subgraphs()->size() == 0) {
        set_error(err, flatbuffers::ReadScalar<flatbuffers::uoffset_t>(buf), "Model.subgraphs", "at least one subgraph");
        std::free(copy);
        return 1;
    }
    auto *m = new hk_tfl_model{static_cast<uint8_t *>(copy), length, model};
    *out = m;
    return 0;
}

void hk_tfl_close(hk_tfl_model *m) {
    if (!m) return;
    std::free(m->bytes);
    delete m;
}

uint32_t hk_tfl_schema_version(const hk_tfl_model *m) { return m->model->version(); }
hk_tfl_string hk_tfl_description(const hk_tfl_model *m) { return str(m->model->description()); }
uint32_t hk_tfl_subgraph_count(const hk_tfl_model *m) { return m->model->subgraphs()->size(); }
uint32_t hk_tfl_buffer_count(const hk_tfl_model *m) { return m->model->buffers() ? m->model->buffers()->size() : 0; }
uint32_t hk_tfl_operator_code_count(const hk_tfl_model *m) {
    return m->model->operator_codes() ? m->model->operator_codes()->size() : 0;
}

uint32_t hk_tfl_tensor_count(const hk_tfl_model *m, uint32_t sg) {
    const auto *t = subgraph_at(m, sg)->tensors();
    return t ? t->size() : 0;
}
uint32_t hk_tfl_operator_count(const hk_tfl_model *m, uint32_t sg) {
    const auto *o = subgraph_at(m, sg)->operators();
    return o ? o->size() : 0;
}
hk_tfl_ints hk_tfl_subgraph_inputs(const hk_tfl_model *m, uint32_t sg) { return ints(subgraph_at(m, sg)->inputs()); }
hk_tfl_ints hk_tfl_subgraph_outputs(const hk_tfl_model *m, uint32_t sg) { return ints(subgraph_at(m, sg)->outputs()); }
hk_tfl_string hk_tfl_subgraph_name(const hk_tfl_model *m, uint32_t sg) { return str(subgraph_at(m, sg)->name()); }

hk_tfl_tensor hk_tfl_tensor_at(const hk_tfl_model *m, uint32_t sg, uint32_t index) {
    const tfl::Tensor *t = subgraph_at(m, sg)->tensors()->Get(index);
    hk_tfl_tensor r;
    std::memset(&r, 0, sizeof r);
    r.shape = ints(t->shape());
    r.type = static_cast<int32_t>(t->type());
    r.buffer = t->buffer();
    r.name = str(t->name());
    r.is_variable = t->is_variable();
    if (const auto *q = t->quantization()) {
        r.has_quantization = 1;
        if (q->scale()) { r.scale = q->scale()->data(); r.scale_count = q->scale()->size(); }
        if (q->zero_point()) { r.zero_point = q->zero_point()->data(); r.zero_point_count = q->zero_point()->size(); }
        r.quantized_dimension = q->quantized_dimension();
    }
    return r;
}

int hk_tfl_operator_at(const hk_tfl_model *m, uint32_t sg, uint32_t index, hk_tfl_operator *op) {
    const tfl::Operator *o = subgraph_at(m, sg)->operators()->Get(index);
    std::memset(op, 0, sizeof *op);
    const auto *codes = m->model->operator_codes();
    if (!codes || o->opcode_index() >= codes->size()) return -1;
    const tfl::OperatorCode *code = codes->Get(o->opcode_index());
    const int32_t deprecated = code->deprecated_builtin_code();
    op->builtin_code = code->builtin_code() > deprecated ? code->builtin_code() : deprecated;
    op->version = code->version();
    op->custom_code = str(code->custom_code());
    op->inputs = ints(o->inputs());
    op->outputs = ints(o->outputs());
    op->options_type = static_cast<int32_t>(o->builtin_options_type());
    fill_options(o, &op->options);
    return 0;
}

int hk_tfl_buffer_data(const hk_tfl_model *m, uint32_t index, const uint8_t **data, size_t *length) {
    *data = nullptr;
    *length = 0;
    const auto *buffers = m->model->buffers();
    if (!buffers || index >= buffers->size()) return -1;
    const tfl::Buffer *b = buffers->Get(index);
    if (b->offset() > 1) {
        // Large models keep tensor data after the flatbuffer, addressed from the file start.
        if (b->offset() > m->length || b->size() > m->length - b->offset()) return -1;
        *data = m->bytes + b->offset();
        *length = static_cast<size_t>(b->size());
        return 0;
    }
    if (const auto *d = b->data()) {
        *data = d->data();
        *length = d->size();
    }
    return 0;
}

}  // extern "C"

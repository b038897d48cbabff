/* opcodes.c - the instruction table generated from GS_OPCODES. */
#include <string.h>

#include "opcodes.h"

#define GS_NOPERANDS(a, b) ((GS_OPND_##a != GS_OPND_NONE) + (GS_OPND_##b != GS_OPND_NONE))

const gs_opinfo gs_opinfo_table[GS_OP_COUNT] = {
#define GS_OP_INFO(e, name, a, b, pops, pushes, meaning) \
    [GS_OP_##e] = {name, {GS_OPND_##a, GS_OPND_##b}, GS_NOPERANDS(a, b), pops, pushes, meaning},
    GS_OPCODES(GS_OP_INFO)
#undef GS_OP_INFO
};

const char *const gs_io_kind_names[GS_IO_KIND_COUNT] = {
#define GS_IO_NAME(e, name, meaning) [GS_IO_##e] = name,
    GS_IOKINDS(GS_IO_NAME)
#undef GS_IO_NAME
};

static int index_by_name(const char *name, size_t len, const char *(*name_of)(int), int count)
{
    for (int i = 0; i < count; i++) {
        const char *n = name_of(i);
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return i;
    }
    return -1;
}

static const char *opcode_name(int i) { return gs_opinfo_table[i].name; }
static const char *io_kind_name(int i) { return gs_io_kind_names[i]; }

int gs_opcode_by_name(const char *name, size_t len)
{
    return index_by_name(name, len, opcode_name, GS_OP_COUNT);
}

int gs_io_kind_by_name(const char *name, size_t len)
{
    return index_by_name(name, len, io_kind_name, GS_IO_KIND_COUNT);
}

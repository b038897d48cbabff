/* model.c - the model's costs as a table (sim.h), made from its rows. */
#include "../../sim.h"

const gs_sim_cost gs_sim_costs[GS_SIM_COST_COUNT] = {
#define GS_SIM_COST_ROW(field, option, label, dflt, min, max, what) \
    {#field, option, label, min, max, what, offsetof(gs_sim_model, field)},
    GS_SIM_COSTS(GS_SIM_COST_ROW)
#undef GS_SIM_COST_ROW
};

/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * AtomVM's headers as Zephyr code includes them. Include this instead of AtomVM headers
 * directly: both projects define CONTAINER_OF (identically), and the redefinition warning is
 * an error in warnings-as-errors builds such as twister's.
 */
#ifndef ATOMVM_ZEPHYR_AVM_H_
#define ATOMVM_ZEPHYR_AVM_H_

#include <zephyr/sys/util.h>

#undef CONTAINER_OF

#include <avmpack.h>
#include <context.h>
#include <defaultatoms.h>
#include <globalcontext.h>
#include <interop.h>
#include <list.h>
#include <mailbox.h>
#include <memory.h>
#include <module.h>
#include <port.h>
#include <synclist.h>
#include <sys.h>
#include <term.h>
#include <utils.h>

#endif /* ATOMVM_ZEPHYR_AVM_H_ */
